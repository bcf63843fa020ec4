use chrono::NaiveDate;

use super::*;

fn programme(id: i64, rule: Rule, stackable: bool) -> Programme {
    let day = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
    Programme {
        id,
        code: format!("KM-{id}"),
        name: format!("KM {id}"),
        starts_on: day,
        ends_on: day,
        offices: Vec::new(),
        groups: Vec::new(),
        tiers: Vec::new(),
        product_ids: Vec::new(),
        categories: Vec::new(),
        rule,
        stackable,
        note: String::new(),
    }
}

fn line(product_id: i64, quantity: i64, unit_price: i64) -> PricedLine {
    PricedLine { product_id, category: "physics".into(), quantity, unit_price, net: quantity * unit_price }
}

#[test]
fn allocations_sum_exactly_and_favour_the_largest_remainder() {
    assert_eq!(allocate(100, &[1, 1, 1]), [34, 33, 33]);
    assert_eq!(allocate(10, &[300, 100]), [8, 2]);
    assert_eq!(allocate(7, &[0, 0]), [0, 0]);
    let parts = allocate(1_000_001, &[333, 333, 334]);
    assert_eq!(parts.iter().sum::<i64>(), 1_000_001);
    assert_eq!(share_bp(15, 1000), 2); // 1.5 -> 2
}

#[test]
fn stackable_programmes_add_up_on_a_line() {
    let programmes =
        [programme(1, Rule::PercentOff { bp: 1000 }, true), programme(2, Rule::AmountOff { per_unit: 50 }, true)];
    let applied = apply(&programmes, &[line(7, 2, 1_000)], &HashMap::new());
    assert_eq!(applied.lines[0].discount, 200 + 100);
    assert_eq!(applied.lines[0].names, ["KM 1", "KM 2"]);
    assert_eq!(applied.uses.iter().map(|u| u.discount).sum::<i64>(), 300);
}

#[test]
fn a_non_stackable_programme_stands_alone_when_it_is_worth_more() {
    let big = programme(3, Rule::PercentOff { bp: 2500 }, false);
    let small =
        [programme(1, Rule::PercentOff { bp: 1000 }, true), programme(2, Rule::AmountOff { per_unit: 50 }, true)];
    let all = [small[0].clone(), small[1].clone(), big.clone()];
    let applied = apply(&all, &[line(7, 2, 1_000)], &HashMap::new());
    assert_eq!((applied.lines[0].discount, applied.lines[0].names.clone()), (500, vec!["KM 3".to_owned()]));
    // Worth less than the stackable ones together: they win and it is left out.
    let weak = programme(3, Rule::PercentOff { bp: 1200 }, false);
    let applied = apply(&[small[0].clone(), small[1].clone(), weak], &[line(7, 2, 1_000)], &HashMap::new());
    assert_eq!((applied.lines[0].discount, applied.lines[0].names.len()), (300, 2));
}

#[test]
fn an_order_threshold_applies_once_reached_and_is_spread_exactly() {
    let threshold = programme(5, Rule::Threshold { min_net: 3_000, bp: 0, amount: 100 }, true);
    let lines = [line(7, 1, 1_000), line(8, 1, 2_000)];
    let applied = apply(std::slice::from_ref(&threshold), &lines, &HashMap::new());
    assert_eq!(applied.lines.iter().map(|l| l.discount).collect::<Vec<_>>(), [33, 67]);
    let below = apply(&[threshold], &lines[..1], &HashMap::new());
    assert_eq!(below.lines[0], LinePromotion::default());
    assert!(below.uses.is_empty());
}

#[test]
fn free_and_gift_goods_become_their_own_lines() {
    let bxgy = programme(6, Rule::BuyXGetY { buy: 3, free: 1, product_id: None }, true);
    let gift = programme(7, Rule::Gift { product_id: 99, quantity: 2, min_net: 5_000 }, true);
    let prices = HashMap::from([(99, 150)]);
    let applied = apply(&[bxgy, gift], &[line(7, 7, 1_000)], &prices);
    assert_eq!(applied.lines[0], LinePromotion::default());
    let free: Vec<_> = applied.free.iter().map(|f| (f.product_id, f.quantity, f.unit_price)).collect();
    assert_eq!(free, [(7, 2, 1_000), (99, 2, 150)]);
    let gifts: Vec<_> = applied.uses.iter().filter(|u| u.gift_value > 0).map(|u| (u.line, u.gift_value)).collect();
    assert_eq!(gifts, [(1, 2_000), (2, 300)]);
    // Below the gift's threshold, and too few units for a free one: nothing.
    let applied = apply(
        &[programme(7, Rule::Gift { product_id: 99, quantity: 2, min_net: 5_000 }, true)],
        &[line(7, 2, 1_000)],
        &prices,
    );
    assert!(applied.free.is_empty());
}

#[test]
fn programmes_skip_products_they_do_not_cover_and_never_go_below_nothing() {
    let narrow = Programme { product_ids: vec![8], ..programme(1, Rule::AmountOff { per_unit: 5_000 }, true) };
    let applied = apply(&[narrow], &[line(7, 1, 1_000), line(8, 2, 1_000)], &HashMap::new());
    assert_eq!(applied.lines.iter().map(|l| l.discount).collect::<Vec<_>>(), [0, 2_000]);
}
