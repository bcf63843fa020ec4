//! gRPC adapter for `atq.importplanning.v1.Catalog`.

use atq_platform::caller::Action;
use atq_platform::paging::Page;
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error, idempotency};
use atq_proto::importplanning::v1 as pb;
use atq_proto::importplanning::v1::catalog_server::Catalog;
use tonic::{Request, Response, Status};

use crate::catalog::{self, ProductFields, SupplierFields, brand_class_word, category_word};
use crate::product_store::{self, ProductFilter, ProductRow};
use crate::supplier_store::{self, SupplierRow};

/// Most documents have a few dozen lines; this bounds one batch read.
const MAX_BATCH_IDS: usize = 500;

pub struct CatalogApi {
    db: Db,
}

impl CatalogApi {
    pub fn new(db: Db) -> Self {
        CatalogApi { db }
    }
}

fn expected_version(version: i64) -> Result<i64, Error> {
    if version > 0 { Ok(version) } else { Err(Error::invalid("version", "the version you read is required")) }
}

impl TryFrom<&pb::CreateSupplierRequest> for SupplierFields {
    type Error = Error;

    fn try_from(input: &pb::CreateSupplierRequest) -> Result<Self, Error> {
        SupplierFields::parse_new(input)
    }
}

impl TryFrom<&pb::CreateProductRequest> for ProductFields {
    type Error = Error;

    fn try_from(input: &pb::CreateProductRequest) -> Result<Self, Error> {
        ProductFields::parse_new(input)
    }
}

/// Which products a list asks for.
impl TryFrom<pb::ListProductsRequest> for ProductFilter {
    type Error = Error;

    fn try_from(input: pb::ListProductsRequest) -> Result<Self, Error> {
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        let category = match input.category {
            0 => Some(""),
            value => v.check("category", category_word(value).ok_or_else(|| "is not a known category".to_owned())),
        };
        let brand_class = match input.brand_class {
            0 => Some(""),
            value => v.check("brand_class", brand_class_word(value).ok_or_else(|| "must be big or small".to_owned())),
        };
        v.finish()?;
        Ok(ProductFilter {
            query: input.q,
            category: category.unwrap_or_default(),
            brand: input.brand,
            brand_class: brand_class.unwrap_or_default(),
            supplier_id: input.supplier_id.max(0),
            page,
        })
    }
}

#[tonic::async_trait]
impl Catalog for CatalogApi {
    async fn create_supplier(
        &self,
        request: Request<pb::CreateSupplierRequest>,
    ) -> Result<Response<pb::Supplier>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCatalog)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let fields = SupplierFields::try_from(&input)?;
        let scope = format!("catalog.CreateSupplier:{}", caller.username);
        let backend = self.db.backend();
        let supplier = idempotency::run_once(&self.db, &scope, key.as_deref(), &input, move |tx| {
            let (fields, by) = (fields.clone(), caller.username.clone());
            Box::pin(async move { Ok(catalog::create_supplier(tx, backend, &fields, None, &by).await?.to_proto()) })
        })
        .await?;
        Ok(Response::new(supplier))
    }

    async fn get_supplier(&self, request: Request<pb::GetSupplierRequest>) -> Result<Response<pb::Supplier>, Status> {
        Caller::of(&request)?.require(Action::ReadCatalog)?;
        let id = request.into_inner().id;
        let row =
            supplier_store::find(self.db.pool(), id).await?.ok_or_else(|| Error::NotFound(format!("supplier {id}")))?;
        Ok(Response::new(row.to_proto()))
    }

    async fn update_supplier(
        &self,
        request: Request<pb::UpdateSupplierRequest>,
    ) -> Result<Response<pb::Supplier>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCatalog)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        expected_version(input.expected_version)?;
        let scope = format!("catalog.UpdateSupplier:{}", caller.username);
        let backend = self.db.backend();
        let request_copy = input.clone();
        let supplier = idempotency::run_once(&self.db, &scope, key.as_deref(), &request_copy, move |tx| {
            let (input, by) = (input.clone(), caller.username.clone());
            Box::pin(async move { Ok(catalog::update_supplier(tx, backend, &input, &by).await?.to_proto()) })
        })
        .await?;
        Ok(Response::new(supplier))
    }

    async fn list_suppliers(
        &self,
        request: Request<pb::ListSuppliersRequest>,
    ) -> Result<Response<pb::ListSuppliersResponse>, Status> {
        Caller::of(&request)?.require(Action::ReadCatalog)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        v.finish()?;
        let mut rows = supplier_store::list(&self.db, &input.q, &input.country, page).await?;
        let next_cursor = page.finish(&mut rows, |row| row.id);
        Ok(Response::new(pb::ListSuppliersResponse {
            items: rows.iter().map(SupplierRow::to_proto).collect(),
            next_cursor,
        }))
    }

    async fn create_product(
        &self,
        request: Request<pb::CreateProductRequest>,
    ) -> Result<Response<pb::Product>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCatalog)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let fields = ProductFields::try_from(&input)?;
        let scope = format!("catalog.CreateProduct:{}", caller.username);
        let backend = self.db.backend();
        let product = idempotency::run_once(&self.db, &scope, key.as_deref(), &input, move |tx| {
            let (fields, by) = (fields.clone(), caller.username.clone());
            Box::pin(async move { Ok(catalog::create_product(tx, backend, &fields, &by).await?.to_proto()) })
        })
        .await?;
        metrics::counter!("atq_products_created_total").increment(1);
        Ok(Response::new(product))
    }

    async fn get_product(&self, request: Request<pb::GetProductRequest>) -> Result<Response<pb::Product>, Status> {
        Caller::of(&request)?.require(Action::ReadCatalog)?;
        let id = request.into_inner().id;
        let row =
            product_store::find(self.db.pool(), id).await?.ok_or_else(|| Error::NotFound(format!("product {id}")))?;
        Ok(Response::new(row.to_proto()))
    }

    async fn get_products(
        &self,
        request: Request<pb::GetProductsRequest>,
    ) -> Result<Response<pb::GetProductsResponse>, Status> {
        Caller::of(&request)?.require(Action::ReadCatalog)?;
        let mut ids = request.into_inner().ids;
        ids.sort_unstable();
        ids.dedup();
        if ids.len() > MAX_BATCH_IDS {
            return Err(Error::invalid("ids", format!("at most {MAX_BATCH_IDS} per call")).into());
        }
        let rows = product_store::find_many(&self.db, &ids).await?;
        Ok(Response::new(pb::GetProductsResponse { items: rows.iter().map(ProductRow::to_proto).collect() }))
    }

    async fn update_product(
        &self,
        request: Request<pb::UpdateProductRequest>,
    ) -> Result<Response<pb::Product>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCatalog)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        expected_version(input.expected_version)?;
        let scope = format!("catalog.UpdateProduct:{}", caller.username);
        let backend = self.db.backend();
        let request_copy = input.clone();
        let product = idempotency::run_once(&self.db, &scope, key.as_deref(), &request_copy, move |tx| {
            let (input, by) = (input.clone(), caller.username.clone());
            Box::pin(async move { Ok(catalog::update_product(tx, backend, &input, &by).await?.to_proto()) })
        })
        .await?;
        Ok(Response::new(product))
    }

    async fn list_products(
        &self,
        request: Request<pb::ListProductsRequest>,
    ) -> Result<Response<pb::ListProductsResponse>, Status> {
        Caller::of(&request)?.require(Action::ReadCatalog)?;
        let filter = ProductFilter::try_from(request.into_inner())?;
        let page = filter.page;
        let mut rows = product_store::list(&self.db, &filter).await?;
        let next_cursor = page.finish(&mut rows, |row| row.id);
        Ok(Response::new(pb::ListProductsResponse {
            items: rows.iter().map(ProductRow::to_proto).collect(),
            next_cursor,
        }))
    }
}
