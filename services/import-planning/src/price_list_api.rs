//! gRPC adapter for `atq.importplanning.v1.PriceLists`: the price quote sheet (bảng báo giá).

use std::collections::{BTreeMap, BTreeSet};

use atq_platform::business_time::{date_from_proto, local_date, now_micros};
use atq_platform::caller::Action;
use atq_platform::paging::Page;
use atq_platform::validation::{Violations, status_filter};
use atq_platform::{Caller, Db, Error, InternalKey, grpc_client, idempotency, outbox};
use atq_proto::accountingwarehouse::v1::ListStockRequest;
use atq_proto::accountingwarehouse::v1::warehouse_client::WarehouseClient;
use atq_proto::importplanning::v1 as pb;
use atq_proto::importplanning::v1::price_lists_server::PriceLists;
use tonic::transport::Channel;
use tonic::{Request, Response, Status};

use crate::price_list::{self, GROUPS, MAX_MARGIN_BP, MAX_ROUNDING_STEP, MAX_UNIT_COST};
use crate::price_list_store::{self, DRAFT, NewPriceList, PUBLISHED};
use crate::product_store::{self, ProductRow};

/// A sheet covers the catalog; more than this is a mistake in the request.
const MAX_PRODUCTS: usize = 5_000;
/// Product rows are read this many at a time.
const CHUNK: usize = 500;

pub const PRICE_LIST_PUBLISHED: &str = "atq.importplanning.v1.PriceListPublished";

/// Bounds one read of the sheet in force for a document's products.
const MAX_PRODUCT_IDS: usize = 1_000;

pub struct PriceListsApi {
    pub db: Db,
    pub warehouse: WarehouseClient<Channel>,
    pub key: InternalKey,
}

impl PriceListsApi {
    /// The company-wide moving-average cost per product, where the warehouse has one.
    async fn average_costs(&self, caller: &Caller) -> Result<BTreeMap<i64, i64>, Status> {
        let reply = grpc_client::with_retry(|| {
            let mut client = self.warehouse.clone();
            let request = grpc_client::request(ListStockRequest::default(), &self.key, caller, None);
            async move { client.list_stock(request).await }
        })
        .await?
        .into_inner();
        Ok(reply
            .items
            .into_iter()
            .filter(|level| level.average_unit_cost > 0)
            .map(|level| (level.product_id, level.average_unit_cost))
            .collect())
    }

    async fn products(&self, ids: &[i64]) -> Result<Vec<ProductRow>, Error> {
        let mut rows = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            rows.extend(product_store::find_many(&self.db, chunk).await?);
        }
        Ok(rows)
    }

    async fn found(&self, id: i64) -> Result<pb::PriceList, Error> {
        price_list_store::find(&self.db, id).await?.ok_or_else(|| Error::NotFound(format!("price list {id}")))
    }
}

/// Leaves cost, basis and margins out for callers who may not read costs (sales staff).
fn hide_costs(list: &mut pb::PriceList) {
    list.costs_shown = false;
    list.margins.clear();
    for line in &mut list.lines {
        line.unit_cost = 0;
        line.cost_basis.clear();
        line.margin_bp = 0;
    }
}

/// The margins, one per group, in the order of [`GROUPS`].
fn parse_margins(v: &mut Violations, margins: &[pb::GroupMargin]) -> [i64; 3] {
    let mut found: [Option<i64>; 3] = [None; 3];
    for margin in margins {
        let word = margin.customer_group.trim();
        let field = format!("margins.{word}");
        let Some(index) = GROUPS.iter().position(|g| *g == word) else {
            v.add(field, "is not a customer group: individual, dealer or project");
            continue;
        };
        if found[index].is_some() {
            v.add(field.clone(), "is given twice");
        }
        let bp = i64::from(margin.margin_bp);
        if bp < 0 {
            v.add(field, "must not be negative");
        } else if bp > MAX_MARGIN_BP {
            v.add(field, "must be at most 10 (1000%)");
        }
        found[index] = Some(bp);
    }
    let mut out = [0; 3];
    for (i, group) in GROUPS.iter().enumerate() {
        match found[i] {
            Some(bp) => out[i] = bp,
            None => v.add(format!("margins.{group}"), "is required"),
        }
    }
    out
}

#[tonic::async_trait]
impl PriceLists for PriceListsApi {
    async fn create_price_list(
        &self,
        request: Request<pb::CreatePriceListRequest>,
    ) -> Result<Response<pb::PriceList>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteRates)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let effective_on = match &input.effective_on {
            Some(date) => v.check("effective_on", date_from_proto(date)),
            None => {
                v.add("effective_on", "is required");
                None
            }
        };
        if input.rounding_step <= 0 {
            v.add("rounding_step", "must be more than zero");
        } else if input.rounding_step > MAX_ROUNDING_STEP {
            v.add("rounding_step", format!("must be at most {MAX_ROUNDING_STEP}"));
        }
        let margins_bp = parse_margins(&mut v, &input.margins);

        // Which products: those named, else the whole catalog.
        let ids: Vec<i64> = if input.product_ids.is_empty() {
            price_list_store::all_product_ids(&self.db).await?
        } else {
            let mut seen = BTreeSet::new();
            for (i, id) in input.product_ids.iter().enumerate() {
                if !seen.insert(*id) {
                    v.add(format!("product_ids[{i}]"), "is listed twice");
                }
            }
            seen.into_iter().collect()
        };
        if ids.len() > MAX_PRODUCTS {
            v.add("product_ids", format!("at most {MAX_PRODUCTS} products in one sheet"));
        }
        let products = self.products(&ids).await?;
        let known: BTreeSet<i64> = products.iter().map(|p| p.id).collect();
        for (i, id) in input.product_ids.iter().enumerate() {
            if !known.contains(id) {
                v.add(format!("product_ids[{i}]"), "no product in the catalog has this id");
            }
        }
        if ids.is_empty() && input.product_ids.is_empty() {
            v.add("product_ids", "the catalog has no products to price");
        }
        let mut given = BTreeMap::new();
        for (i, cost) in input.costs.iter().enumerate() {
            let field = |name: &str| format!("costs[{i}].{name}");
            if !known.contains(&cost.product_id) {
                let message = if input.product_ids.is_empty() {
                    "no product in the catalog has this id"
                } else {
                    "is not one of product_ids"
                };
                v.add(field("product_id"), message);
            } else if given.insert(cost.product_id, cost.unit_cost).is_some() {
                v.add(field("product_id"), "has a cost already");
            }
            if cost.unit_cost <= 0 {
                v.add(field("unit_cost"), "must be more than zero");
            } else if cost.unit_cost > MAX_UNIT_COST {
                v.add(field("unit_cost"), format!("must be at most {MAX_UNIT_COST}"));
            }
        }
        v.finish()?;
        let Some(effective_on) = effective_on else {
            return Err(Error::invalid("effective_on", "is required").into());
        };

        let averages = if products.iter().all(|p| given.contains_key(&p.id)) {
            BTreeMap::new()
        } else {
            self.average_costs(&caller).await?
        };
        let mut lines = Vec::with_capacity(products.len() * GROUPS.len());
        for product in &products {
            let (cost, basis) = match (given.get(&product.id), averages.get(&product.id)) {
                (Some(cost), _) => (*cost, "given"),
                (None, Some(cost)) => (*cost, "average_cost"),
                (None, None) => (product.fields.list_price, "list_price"),
            };
            for (group, margin_bp) in GROUPS.iter().zip(margins_bp) {
                let vat = product.fields.vat_rate_bp;
                let (net, gross) = price_list::prices(cost, margin_bp, input.rounding_step, vat);
                lines.push(pb::PriceListLine {
                    product_id: product.id,
                    model_code: product.fields.model_code.clone(),
                    name_vi: product.fields.name_vi.clone(),
                    brand: product.fields.brand.clone(),
                    category: product.fields.category.to_owned(),
                    unit: product.fields.unit.clone(),
                    customer_group: (*group).to_owned(),
                    unit_cost: cost,
                    cost_basis: basis.to_owned(),
                    margin_bp: margin_bp as i32,
                    price_net: net,
                    vat_rate_bp: vat as i32,
                    price_gross: gross,
                });
            }
        }
        let draft = NewPriceList { effective_on, rounding_step: input.rounding_step, margins_bp, lines };
        let scope = format!("importplanning.CreatePriceList:{}", caller.username);
        let by = caller.username.clone();
        let stored = idempotency::run_once(&self.db, &scope, key.as_deref(), &input, move |tx| {
            let (draft, by) = (draft.clone(), by.clone());
            Box::pin(async move {
                let id = price_list_store::insert(tx, &draft, &by).await?;
                let mut list = price_list_store::find_header(&mut **tx, id)
                    .await?
                    .ok_or_else(|| Error::NotFound(format!("price list {id}")))?;
                list.lines = price_list_store::lines(&mut **tx, id).await?;
                Ok(list)
            })
        })
        .await?;
        tracing::info!(price_list = %stored.number, lines = stored.lines.len(), "price list drafted");
        Ok(Response::new(stored))
    }

    async fn get_price_list(
        &self,
        request: Request<pb::GetPriceListRequest>,
    ) -> Result<Response<pb::PriceList>, Status> {
        Caller::of(&request)?.require(Action::ReadCosts)?;
        Ok(Response::new(self.found(request.into_inner().id).await?))
    }

    async fn list_price_lists(
        &self,
        request: Request<pb::ListPriceListsRequest>,
    ) -> Result<Response<pb::ListPriceListsResponse>, Status> {
        Caller::of(&request)?.require(Action::ReadCosts)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let status = status_filter(&mut v, &input.status, &[DRAFT, PUBLISHED]);
        let page = Page::parse(input.page.as_ref(), &mut v);
        v.finish()?;
        let mut items = price_list_store::list(&self.db, &status, page).await?;
        let next_cursor = page.finish(&mut items, |l| l.id);
        let current = price_list_store::current_id(&self.db, local_date(now_micros())).await?;
        for item in &mut items {
            item.current = Some(item.id) == current;
        }
        Ok(Response::new(pb::ListPriceListsResponse { items, next_cursor }))
    }

    async fn get_price_list_changes(
        &self,
        request: Request<pb::GetPriceListRequest>,
    ) -> Result<Response<pb::PriceListChanges>, Status> {
        Caller::of(&request)?.require(Action::ReadCosts)?;
        let list = self.found(request.into_inner().id).await?;
        let against = match price_list_store::current_id(&self.db, local_date(now_micros())).await? {
            Some(id) if id != list.id => Some(self.found(id).await?),
            _ => None,
        };
        let key = |l: &pb::PriceListLine| {
            (l.product_id, GROUPS.iter().position(|g| *g == l.customer_group).unwrap_or(GROUPS.len()))
        };
        let old: BTreeMap<_, &pb::PriceListLine> =
            against.iter().flat_map(|a| a.lines.iter()).map(|l| (key(l), l)).collect();
        let new: BTreeMap<_, &pb::PriceListLine> = list.lines.iter().map(|l| (key(l), l)).collect();
        let mut keys: BTreeSet<_> = old.keys().copied().collect();
        keys.extend(new.keys().copied());
        let mut items = Vec::new();
        for k in keys {
            let (before, after) = (old.get(&k), new.get(&k));
            let Some(line) = after.or(before) else { continue };
            let (change, old_price, new_price) = match (before, after) {
                (Some(b), Some(a)) if b.price_net == a.price_net => ("unchanged", b.price_net, a.price_net),
                (Some(b), Some(a)) => ("changed", b.price_net, a.price_net),
                (None, Some(a)) => ("new", 0, a.price_net),
                (Some(b), None) => ("dropped", b.price_net, 0),
                (None, None) => continue,
            };
            let both = before.is_some() && after.is_some();
            items.push(pb::PriceChange {
                product_id: line.product_id,
                model_code: line.model_code.clone(),
                name_vi: line.name_vi.clone(),
                customer_group: line.customer_group.clone(),
                change: change.to_owned(),
                old_price,
                new_price,
                difference: if both { new_price - old_price } else { 0 },
                change_e4: if both { price_list::change_e4(old_price, new_price) } else { 0 },
            });
        }
        let old_products: BTreeSet<i64> = old.keys().map(|(p, _)| *p).collect();
        let new_products: BTreeSet<i64> = new.keys().map(|(p, _)| *p).collect();
        Ok(Response::new(pb::PriceListChanges {
            id: list.id,
            number: list.number.clone(),
            against_id: against.as_ref().map(|a| a.id).unwrap_or_default(),
            against_number: against.as_ref().map(|a| a.number.clone()).unwrap_or_default(),
            items,
            new_products: new_products.difference(&old_products).copied().collect(),
            dropped_products: old_products.difference(&new_products).copied().collect(),
        }))
    }

    async fn publish_price_list(
        &self,
        request: Request<pb::PublishPriceListRequest>,
    ) -> Result<Response<pb::PriceList>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteRates)?;
        let input = request.into_inner();
        let mut tx = self.db.begin().await.map_err(Error::from)?;
        let list = price_list_store::find_header(&mut *tx, input.id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("price list {}", input.id)))?;
        // Publishing again changes nothing, whatever version the caller read.
        if list.status == DRAFT {
            Error::unless_stale(input.expected_version, list.version)?;
            match price_list_store::publish(&mut tx, list.id, list.version, &caller.username).await {
                Ok(()) => {
                    let lines: i64 =
                        sqlx::query_scalar("SELECT COUNT(*) FROM price_list_lines WHERE price_list_id = $1")
                            .bind(list.id)
                            .fetch_one(&mut *tx)
                            .await
                            .map_err(Error::from)?;
                    let event = pb::PriceListPublished {
                        price_list_id: list.id,
                        number: list.number.clone(),
                        effective_from: list.effective_on,
                        lines: lines as i32,
                        published_by: caller.username.clone(),
                    };
                    outbox::append(
                        &mut tx,
                        self.db.backend(),
                        "price_list",
                        &list.number,
                        PRICE_LIST_PUBLISHED,
                        &event,
                    )
                    .await?;
                    tx.commit().await.map_err(Error::from)?;
                    tracing::info!(price_list = %list.number, "price list published");
                }
                // A twin request published it first: the same outcome.
                Err(Error::StaleVersion { .. }) if input.expected_version == 0 => drop(tx),
                Err(error) => return Err(error.into()),
            }
        } else {
            drop(tx);
        }
        Ok(Response::new(self.found(input.id).await?))
    }

    async fn get_current_price_list(
        &self,
        request: Request<pb::GetCurrentPriceListRequest>,
    ) -> Result<Response<pb::PriceList>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCatalog)?;
        let input = request.into_inner();
        let group = match input.customer_group.trim() {
            "" => None,
            text => Some(
                price_list::group_word(text)
                    .ok_or_else(|| Error::invalid("group", "is not a customer group: individual, dealer or project"))?,
            ),
        };
        let id = price_list_store::current_id(&self.db, local_date(now_micros()))
            .await?
            .ok_or_else(|| Error::NotFound("no price list is published and in force today".into()))?;
        if input.product_ids.len() > MAX_PRODUCT_IDS {
            return Err(Error::invalid("product_ids", format!("at most {MAX_PRODUCT_IDS} at once")).into());
        }
        // Only the lines asked for are read: a quote needs a few products of one group.
        let mut list = price_list_store::find_header(self.db.pool(), id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("price list {id}")))?;
        list.current = true;
        list.lines =
            price_list_store::lines_of(self.db.pool(), id, group.unwrap_or_default(), &input.product_ids).await?;
        if let Some(group) = group {
            list.margins.retain(|m| m.customer_group == group);
        }
        if !caller.role.may(Action::ReadCosts) {
            hide_costs(&mut list);
        }
        Ok(Response::new(list))
    }
}
