//! What a re-plan reads from the warehouse: free stock per product and what each plan's orders
//! already hold. Reads run side by side, a few at a time.

use std::collections::{BTreeSet, HashMap};

use atq_platform::Tx;
use atq_platform::error::Result;
use atq_proto::accountingwarehouse::v1 as wh;
use futures::StreamExt;

use super::Planning;
use crate::plan_store::{self, StoredMilestone};

/// Units available in good condition per product, of the products `wanted` keeps.
fn free_of(levels: Vec<wh::StockLevel>, wanted: impl Fn(i64) -> bool) -> HashMap<i64, i64> {
    let mut free = HashMap::new();
    for level in levels {
        if level.condition != wh::Condition::Good as i32 || level.available <= 0 || !wanted(level.product_id) {
            continue;
        }
        *free.entry(level.product_id).or_insert(0) += level.available;
    }
    free
}

/// Up to this many products are read one by one; more in one read of all stock.
const FEW_PRODUCTS: usize = 20;
/// Reads of the warehouse in flight at once during a re-plan.
const PARALLEL_READS: usize = 8;

impl Planning {
    /// Free good stock per product, company-wide (on hand less what is reserved): a few products
    /// are asked for one by one, side by side; many at once in one read of all stock.
    pub(super) async fn free_stock(&self, products: &BTreeSet<i64>) -> Result<HashMap<i64, i64>> {
        let levels: Vec<wh::StockLevel> = if products.len() <= FEW_PRODUCTS {
            let ids: Vec<i64> = products.iter().copied().collect();
            let warehouse = self.warehouse.clone();
            let reads = futures::stream::iter(ids.into_iter().map(move |id| {
                let warehouse = warehouse.clone();
                async move { warehouse.stock_of(id).await }
            }))
            .buffer_unordered(PARALLEL_READS)
            .collect::<Vec<_>>()
            .await;
            reads.into_iter().collect::<Result<Vec<_>>>()?.into_iter().flatten().collect()
        } else {
            self.warehouse.stock_of(0).await?
        };
        Ok(free_of(levels, |product_id| products.contains(&product_id)))
    }

    /// Free good stock of every product, in one read of all stock: what a re-plan of everything
    /// counts on.
    pub(super) async fn free_everywhere(&self) -> Result<HashMap<i64, i64>> {
        Ok(free_of(self.warehouse.stock_of(0).await?, |_| true))
    }

    /// Units an order already holds or has received, per product: as last read, unless the stock
    /// feed said its reservation moved since.
    async fn held_by_order(&self, order_ref: &str) -> Result<HashMap<i64, i64>> {
        let mark = match self.warehouse.held_as_read(order_ref) {
            Ok(held) => return Ok(held),
            Err(mark) => mark,
        };
        let mut held = HashMap::new();
        let reservation = self.warehouse.reservation(order_ref).await?;
        // A released reservation (the order was cancelled) holds nothing any more.
        for line in reservation.into_iter().filter(|r| r.status == "active").flat_map(|r| r.lines) {
            *held.entry(line.product_id).or_insert(0) += line.reserved + line.issued;
        }
        self.warehouse.remember_held(order_ref, mark, &held);
        Ok(held)
    }

    /// What each plan's orders already hold, per plan and product; each order's reservation is
    /// read side by side: a re-plan of everything reads them all.
    pub(super) async fn held(
        &self,
        tx: &mut Tx,
        stored: &[(StoredMilestone, String)],
    ) -> Result<HashMap<(i64, i64), i64>> {
        let plan_ids: Vec<i64> = stored.iter().map(|(m, _)| m.plan_id).collect::<BTreeSet<_>>().into_iter().collect();
        let orders = plan_store::orders_of(tx, &plan_ids).await?;
        self.held_by_orders(&orders).await
    }

    /// What these orders hold, per plan (the plan each order serves) and product.
    pub(super) async fn held_by_orders(&self, orders: &HashMap<i64, Vec<String>>) -> Result<HashMap<(i64, i64), i64>> {
        let pairs: Vec<(i64, String)> =
            orders.iter().flat_map(|(plan_id, refs)| refs.iter().map(move |r| (*plan_id, r.clone()))).collect();
        let planning = self.clone();
        let reads = futures::stream::iter(pairs.into_iter().map(move |(plan_id, order_ref)| {
            let planning = planning.clone();
            async move { planning.held_by_order(&order_ref).await.map(|held| (plan_id, held)) }
        }))
        .buffer_unordered(PARALLEL_READS)
        .collect::<Vec<_>>()
        .await;
        let mut held: HashMap<(i64, i64), i64> = HashMap::new();
        for read in reads {
            let (plan_id, by_product) = read?;
            for (product_id, units) in by_product {
                *held.entry((plan_id, product_id)).or_insert(0) += units;
            }
        }
        Ok(held)
    }
}
