//! Gross margin per shipped order line: revenue (net, without VAT) less the cost of goods issued
//! at the moving average, grouped by product, brand, category, customer, salesperson or office,
//! and products ranked best or worst by revenue, margin or units. A line counts on the local day
//! its goods left the warehouse; a return takes its revenue and cost back on the day it came back.

use std::collections::BTreeMap;

use atq_platform::error::Result;
use atq_platform::{Db, Error, Office};
use chrono::NaiveDate;

use crate::margin_store::{self, ISSUE, MarginRow};

/// The most rows a ranking may list.
pub const MAX_LIMIT: i32 = 1000;
/// Rows of a ranking when the caller names no limit.
pub const DEFAULT_LIMIT: i32 = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RankBy {
    Revenue,
    Margin,
    Quantity,
}

impl RankBy {
    pub fn parse(text: &str) -> std::result::Result<RankBy, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "revenue" => Ok(RankBy::Revenue),
            "margin" => Ok(RankBy::Margin),
            "quantity" => Ok(RankBy::Quantity),
            _ => Err("must be revenue, margin or quantity".to_owned()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RankBy::Revenue => "revenue",
            RankBy::Margin => "margin",
            RankBy::Quantity => "quantity",
        }
    }
}

/// Best: highest first; worst: lowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ranking {
    Best,
    Worst,
}

impl Ranking {
    pub fn parse(text: &str) -> std::result::Result<Ranking, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "best" => Ok(Ranking::Best),
            "worst" => Ok(Ranking::Worst),
            _ => Err("must be best or worst".to_owned()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Ranking::Best => "best",
            Ranking::Worst => "worst",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    Product,
    Brand,
    Category,
    Customer,
    Salesperson,
    Office,
}

impl GroupBy {
    pub fn parse(text: &str) -> std::result::Result<GroupBy, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "product" => Ok(GroupBy::Product),
            "brand" => Ok(GroupBy::Brand),
            "category" => Ok(GroupBy::Category),
            "customer" => Ok(GroupBy::Customer),
            "salesperson" => Ok(GroupBy::Salesperson),
            "office" => Ok(GroupBy::Office),
            _ => Err("must be product, brand, category, customer, salesperson or office".to_owned()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Product => "product",
            GroupBy::Brand => "brand",
            GroupBy::Category => "category",
            GroupBy::Customer => "customer",
            GroupBy::Salesperson => "salesperson",
            GroupBy::Office => "office",
        }
    }

    fn key(self, row: &MarginRow) -> String {
        match self {
            GroupBy::Product => row.product_id.to_string(),
            GroupBy::Brand => row.brand.clone(),
            GroupBy::Category => row.category.clone(),
            GroupBy::Customer => row.customer.clone(),
            GroupBy::Salesperson => row.salesperson.clone(),
            GroupBy::Office => row.office.clone(),
        }
    }
}

/// Units, revenue and cost in VND, summed exactly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    pub quantity: i64,
    pub revenue: i64,
    pub cost: i64,
}

fn overflow(what: &str) -> Error {
    Error::internal(anyhow::anyhow!("{what} out of range"))
}

impl Figures {
    fn add(&mut self, quantity: i64, revenue: i64, cost: i64) -> Result<()> {
        self.quantity = self.quantity.checked_add(quantity).ok_or_else(|| overflow("quantity"))?;
        self.revenue = self.revenue.checked_add(revenue).ok_or_else(|| overflow("revenue"))?;
        self.cost = self.cost.checked_add(cost).ok_or_else(|| overflow("cost"))?;
        Ok(())
    }

    /// Revenue less cost; both are below 10^18, so the difference fits.
    pub fn margin(&self) -> i64 {
        self.revenue.saturating_sub(self.cost)
    }

    /// Margin over revenue in basis points, toward zero; None without revenue.
    pub fn margin_rate_bp(&self) -> Option<i64> {
        if self.revenue == 0 {
            return None;
        }
        let rate = i128::from(self.margin()) * 10_000 / i128::from(self.revenue);
        i64::try_from(rate).ok()
    }

    fn measure(&self, rank_by: RankBy) -> i64 {
        match rank_by {
            RankBy::Revenue => self.revenue,
            RankBy::Margin => self.margin(),
            RankBy::Quantity => self.quantity,
        }
    }
}

/// One group's figures; product, model, category and brand are filled when grouped by product.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Group {
    pub key: String,
    pub product_id: i64,
    pub model_code: String,
    pub category: String,
    pub brand: String,
    pub figures: Figures,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MarginReport {
    /// Sorted by key (products by id).
    pub groups: Vec<Group>,
    pub total: Figures,
}

/// The revenue of a kept line. A shipment earns the order's net amount for its product pro rata
/// to the units shipped, rounded half up (whole shipments earn it exactly); before analytics has
/// read the order it earns nothing yet. A return carries its own (negative) revenue.
pub fn line_revenue(row: &MarginRow) -> Result<i64> {
    if row.source != ISSUE {
        return Ok(row.revenue);
    }
    let (Some(net), Some(units)) = (row.order_net, row.order_units) else {
        return Ok(0);
    };
    if units <= 0 {
        return Ok(0);
    }
    let (net, units, shipped) = (i128::from(net), i128::from(units), i128::from(row.quantity));
    let doubled = net.checked_mul(shipped).and_then(|n| n.checked_mul(2)).ok_or_else(|| overflow("revenue"))?;
    let rounded = (doubled + units).div_euclid(2 * units);
    i64::try_from(rounded).map_err(|_| overflow("revenue"))
}

/// Groups kept lines; pure, for the tests.
pub fn group(rows: &[MarginRow], by: GroupBy) -> Result<MarginReport> {
    let mut groups: BTreeMap<(i64, String), Group> = BTreeMap::new();
    let mut total = Figures::default();
    for row in rows {
        let revenue = line_revenue(row)?;
        total.add(row.quantity, revenue, row.cost)?;
        let key = by.key(row);
        let sort = if by == GroupBy::Product { row.product_id } else { 0 };
        let entry = groups.entry((sort, key.clone())).or_insert_with(|| Group { key, ..Group::default() });
        if by == GroupBy::Product {
            entry.product_id = row.product_id;
            entry.model_code.clone_from(&row.model_code);
            entry.category.clone_from(&row.category);
            entry.brand.clone_from(&row.brand);
        }
        entry.figures.add(row.quantity, revenue, row.cost)?;
    }
    Ok(MarginReport { groups: groups.into_values().collect(), total })
}

/// The first `limit` groups by a figure, highest first for the best and lowest first for the
/// worst; ties by key, so the order is stable.
pub fn rank(mut groups: Vec<Group>, rank_by: RankBy, ranking: Ranking, limit: usize) -> Vec<Group> {
    groups.sort_by(|a, b| {
        let (x, y) = (a.figures.measure(rank_by), b.figures.measure(rank_by));
        let by_figure = match ranking {
            Ranking::Best => y.cmp(&x),
            Ranking::Worst => x.cmp(&y),
        };
        by_figure.then(a.product_id.cmp(&b.product_id)).then_with(|| a.key.cmp(&b.key))
    });
    groups.truncate(limit);
    groups
}

/// Margin lines between two local days (inclusive) grouped, of one office and one product
/// category when given.
pub async fn margins(
    db: &Db,
    (from, to): (NaiveDate, NaiveDate),
    office: Option<Office>,
    category: Option<&str>,
    by: GroupBy,
) -> Result<MarginReport> {
    let rows = margin_store::rollup::grouped_lines(db, (from, to), office, category, by).await?;
    group(&rows, by)
}

#[cfg(test)]
#[path = "margin_tests.rs"]
mod tests;
