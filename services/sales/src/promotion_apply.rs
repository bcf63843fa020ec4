//! How the programmes that cover a customer apply to a document's lines, without I/O.
//!
//! Each programme is worth something on each line it covers: a percentage or an amount off, free
//! units (buy X get Y, at their price), or its share of an order-threshold discount (the discount
//! spread over the covered lines in proportion to their net, largest remainder first, so the
//! shares sum to it exactly). On a line, a programme that is not stackable never combines with
//! another: the line takes whichever is worth more to the customer, the best such programme alone
//! or every stackable one together (the stackable ones on a tie). A gift is given once per
//! document, on a line of its own, and competes with nothing. Discounts on a line never take it
//! below nothing. Free and gift goods become lines of their own at their price, discounted whole.

use std::collections::HashMap;

use crate::promotion::{Programme, Rule};

/// A document line as priced before any programme: `net` is what it charges now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricedLine {
    pub product_id: i64,
    /// The catalog category word of the product ("physics").
    pub category: String,
    pub quantity: i64,
    /// What one unit charges before any programme (after a quote's own discount).
    pub unit_price: i64,
    pub net: i64,
}

/// What programmes took off one line, and their names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinePromotion {
    pub discount: i64,
    pub names: Vec<String>,
}

/// Goods given free: a line of their own at `unit_price`, discounted whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FreeLine {
    pub product_id: i64,
    pub quantity: i64,
    pub unit_price: i64,
    pub promotion_id: i64,
    pub name: String,
}

/// One programme's part in one line, for the report. `line` counts the document's lines then its
/// free lines, from 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Use {
    pub promotion_id: i64,
    pub name: String,
    pub line: usize,
    pub discount: i64,
    pub gift_value: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// One per document line, in order.
    pub lines: Vec<LinePromotion>,
    pub free: Vec<FreeLine>,
    pub uses: Vec<Use>,
}

/// What a programme is worth on one line.
#[derive(Clone, Copy, Debug)]
enum Benefit {
    Discount(i64),
    /// Units of a product, and their worth at its price.
    Free {
        product_id: i64,
        quantity: i64,
        unit_price: i64,
        value: i64,
    },
}

impl Benefit {
    fn value(self) -> i64 {
        match self {
            Benefit::Discount(amount) => amount,
            Benefit::Free { value, .. } => value,
        }
    }
}

/// `amount` x `bp` / 10 000, rounded half up.
pub fn share_bp(amount: i64, bp: i64) -> i64 {
    let scaled = (i128::from(amount) * i128::from(bp) + 5_000) / 10_000;
    i64::try_from(scaled).unwrap_or(i64::MAX)
}

/// `total` spread over `weights` in proportion, largest remainder first (earlier on a tie); the
/// parts sum to `total` exactly. All zero weights: nothing to spread on, all parts zero.
pub fn allocate(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if sum <= 0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<(i128, i128)> = weights
        .iter()
        .map(|w| {
            let scaled = i128::from(total) * i128::from(*w);
            (scaled.div_euclid(sum), scaled.rem_euclid(sum))
        })
        .collect();
    let mut parts: Vec<i64> = exact.iter().map(|(q, _)| i64::try_from(*q).unwrap_or(0)).collect();
    let left = i128::from(total) - exact.iter().map(|(q, _)| q).sum::<i128>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|a, b| exact[*b].1.cmp(&exact[*a].1).then(a.cmp(b)));
    for index in order.into_iter().take(usize::try_from(left).unwrap_or(0)) {
        parts[index] += 1;
    }
    parts
}

/// Applies `programmes` (those covering the customer today) to `lines`; `prices` holds the unit
/// price of each product a programme gives away by name.
pub fn apply(programmes: &[Programme], lines: &[PricedLine], prices: &HashMap<i64, i64>) -> Applied {
    let mut benefits: Vec<Vec<(usize, Benefit)>> = vec![Vec::new(); lines.len()];
    for (p, programme) in programmes.iter().enumerate() {
        let covered: Vec<usize> =
            (0..lines.len()).filter(|i| programme.covers_product(lines[*i].product_id, &lines[*i].category)).collect();
        for (i, benefit) in benefits_of(programme, lines, &covered, prices) {
            benefits[i].push((p, benefit));
        }
    }
    let mut applied = Applied::default();
    for (i, line) in lines.iter().enumerate() {
        let chosen = choose(programmes, &benefits[i]);
        let settled = settle(programmes, line, (i, lines.len()), &chosen, &mut applied.free, &mut applied.uses);
        applied.lines.push(settled);
    }
    for programme in programmes {
        give_gift(programme, lines, prices, &mut applied);
    }
    applied
}

/// The worth of one programme on each covered line; a gift is given apart, in [`give_gift`].
fn benefits_of(
    programme: &Programme,
    lines: &[PricedLine],
    covered: &[usize],
    prices: &HashMap<i64, i64>,
) -> Vec<(usize, Benefit)> {
    let each = |worth: &dyn Fn(&PricedLine) -> Option<Benefit>| {
        covered.iter().filter_map(|i| worth(&lines[*i]).map(|b| (*i, b))).collect::<Vec<_>>()
    };
    match programme.rule {
        Rule::PercentOff { bp } => each(&|l| Some(Benefit::Discount(share_bp(l.net, bp)))),
        Rule::AmountOff { per_unit } => {
            each(&|l| Some(Benefit::Discount(l.quantity.checked_mul(per_unit).map_or(l.net, |off| off.min(l.net)))))
        }
        Rule::BuyXGetY { buy, free, product_id } => each(&|l| {
            let quantity = (l.quantity / buy).checked_mul(free).filter(|q| *q > 0)?;
            let product_id = product_id.unwrap_or(l.product_id);
            let unit_price = if product_id == l.product_id { l.unit_price } else { *prices.get(&product_id)? };
            let value = quantity.checked_mul(unit_price)?;
            Some(Benefit::Free { product_id, quantity, unit_price, value })
        }),
        Rule::Threshold { min_net, bp, amount } => {
            let nets: Vec<i64> = covered.iter().map(|i| lines[*i].net).collect();
            let net: i64 = nets.iter().sum();
            if covered.is_empty() || net < min_net {
                return Vec::new();
            }
            let total = if bp > 0 { share_bp(net, bp) } else { amount.min(net) };
            covered.iter().copied().zip(allocate(total, &nets)).map(|(i, part)| (i, Benefit::Discount(part))).collect()
        }
        Rule::Gift { .. } => Vec::new(),
    }
}

/// The programmes a line takes, by their index in `programmes`.
fn choose(programmes: &[Programme], benefits: &[(usize, Benefit)]) -> Vec<(usize, Benefit)> {
    let stackable: Vec<(usize, Benefit)> =
        benefits.iter().copied().filter(|(p, b)| programmes[*p].stackable && b.value() > 0).collect();
    let together: i64 = stackable.iter().map(|(_, b)| b.value()).fold(0, i64::saturating_add);
    let alone = benefits
        .iter()
        .copied()
        .filter(|(p, b)| !programmes[*p].stackable && b.value() > 0)
        .reduce(|best, next| if next.1.value() > best.1.value() { next } else { best });
    match alone {
        Some(best) if best.1.value() > together => vec![best],
        _ => stackable,
    }
}

/// The line's discount and names from the programmes chosen for it; free goods become free lines,
/// numbered after the document's `count` lines.
fn settle(
    programmes: &[Programme],
    line: &PricedLine,
    (index, count): (usize, usize),
    chosen: &[(usize, Benefit)],
    free: &mut Vec<FreeLine>,
    uses: &mut Vec<Use>,
) -> LinePromotion {
    let mut out = LinePromotion::default();
    for (p, benefit) in chosen {
        let programme = &programmes[*p];
        match *benefit {
            Benefit::Discount(amount) => {
                let taken = amount.min(line.net - out.discount);
                if taken <= 0 {
                    continue;
                }
                out.discount += taken;
                out.names.push(programme.name.clone());
                uses.push(Use {
                    promotion_id: programme.id,
                    name: programme.name.clone(),
                    line: index,
                    discount: taken,
                    gift_value: 0,
                });
            }
            Benefit::Free { product_id, quantity, unit_price, value } => {
                uses.push(Use {
                    promotion_id: programme.id,
                    name: programme.name.clone(),
                    line: index,
                    discount: 0,
                    gift_value: 0,
                });
                uses.push(Use {
                    promotion_id: programme.id,
                    name: programme.name.clone(),
                    line: count + free.len(),
                    discount: 0,
                    gift_value: value,
                });
                free.push(FreeLine {
                    product_id,
                    quantity,
                    unit_price,
                    promotion_id: programme.id,
                    name: programme.name.clone(),
                });
            }
        }
    }
    out
}

/// A gift programme's goods, once, when the document's covered lines reach its threshold; the
/// covered lines count as touched by it.
fn give_gift(programme: &Programme, lines: &[PricedLine], prices: &HashMap<i64, i64>, applied: &mut Applied) {
    let Rule::Gift { product_id, quantity, min_net } = programme.rule else { return };
    let covered: Vec<usize> =
        (0..lines.len()).filter(|i| programme.covers_product(lines[*i].product_id, &lines[*i].category)).collect();
    let net: i64 = covered.iter().map(|i| lines[*i].net).sum();
    let Some(unit_price) = prices.get(&product_id).copied() else { return };
    let Some(value) = quantity.checked_mul(unit_price) else { return };
    if covered.is_empty() || net < min_net {
        return;
    }
    for i in covered {
        applied.uses.push(Use {
            promotion_id: programme.id,
            name: programme.name.clone(),
            line: i,
            discount: 0,
            gift_value: 0,
        });
    }
    let slot = lines.len() + applied.free.len();
    applied.uses.push(Use {
        promotion_id: programme.id,
        name: programme.name.clone(),
        line: slot,
        discount: 0,
        gift_value: value,
    });
    applied.free.push(FreeLine {
        product_id,
        quantity,
        unit_price,
        promotion_id: programme.id,
        name: programme.name.clone(),
    });
}

#[cfg(test)]
#[path = "promotion_apply_tests.rs"]
mod tests;
