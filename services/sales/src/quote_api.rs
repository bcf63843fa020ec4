//! gRPC adapter for `atq.sales.v1.Quotes`.

use atq_platform::caller::Action;
use atq_platform::catalog::CatalogReader;
use atq_platform::paging::Page;
use atq_platform::validation::{self, Violations, optional_text};
use atq_platform::{Caller, Db, Error, idempotency};
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::quotes_server::Quotes;
use tonic::{Request, Response, Status};

use crate::customer_store;
use crate::quote::{NewQuote, status};
use crate::quote_store::{self, QuoteFilter, QuoteRow};

pub struct QuoteApi {
    pub db: Db,
    pub catalog: CatalogReader,
}

impl QuoteApi {
    async fn visible(&self, caller: &Caller, id: i64) -> Result<QuoteRow, Error> {
        let mut conn = self.db.pool().acquire().await?;
        quote_store::find(&mut conn, id)
            .await?
            .filter(|quote| caller.sees_office(quote.office))
            .ok_or_else(|| Error::NotFound(format!("quote {id}")))
    }

    /// Moves the quote from one of `from` to `to`; repeating a done move returns the quote as is.
    async fn decide(
        &self,
        request: Request<pb::QuoteActionRequest>,
        from: &[&str],
        to: &str,
    ) -> Result<Response<pb::Quote>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteOrders)?;
        let input = request.into_inner();
        let note = optional_text(&input.note, 2000).map_err(|message| Error::invalid("note", message))?;
        let quote = self.visible(&caller, input.id).await?;
        if quote.status() == to {
            return Ok(Response::new(quote.proto));
        }
        Error::unless_stale(input.expected_version, quote.proto.version)?;
        if quote.status() == status::EXPIRED {
            return Err(Error::Conflict(format!(
                "quote {} was valid until {} and has expired; make a new one at today's prices",
                quote.proto.number, quote.valid_until
            ))
            .into());
        }
        if !from.contains(&quote.status()) {
            return Err(Error::Conflict(format!(
                "quote {} is {}; it cannot become {to}",
                quote.proto.number,
                quote.status()
            ))
            .into());
        }
        let mut tx = self.db.begin().await.map_err(Error::from)?;
        quote_store::advance(&mut tx, &quote, to, &note).await?;
        let moved = quote_store::find(&mut tx, quote.id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("quote {}", quote.id)))?;
        tx.commit().await.map_err(Error::from)?;
        tracing::info!(quote = %moved.proto.number, status = to, "quote moved");
        Ok(Response::new(moved.proto))
    }
}

#[tonic::async_trait]
impl Quotes for QuoteApi {
    async fn create_quote(&self, request: Request<pb::CreateQuoteRequest>) -> Result<Response<pb::Quote>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteOrders)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let customer = customer_store::find(self.db.pool(), input.customer_id)
            .await?
            .filter(|c| caller.sees_office(c.fields.office))
            .ok_or_else(|| Error::invalid("customer_id", "no customer in your territory has this id"))?;
        let ids: Vec<i64> = input.lines.iter().map(|l| l.product_id).filter(|id| *id > 0).collect();
        let catalog = self.catalog.products(&caller, &ids).await?;
        let unpriced: Vec<i64> =
            input.lines.iter().filter(|l| l.unit_price.is_none() && l.product_id > 0).map(|l| l.product_id).collect();
        let sheet = self.catalog.sheet_prices(&caller, customer.fields.group.as_str(), &unpriced).await?;
        let quote = NewQuote::parse(&input, &catalog, sheet.as_ref())?;
        let scope = format!("sales.CreateQuote:{}", caller.username);
        let created = idempotency::run_once(&self.db, &scope, key.as_deref(), &input, move |tx| {
            let (quote, customer, by) = (quote.clone(), customer.clone(), caller.username.clone());
            Box::pin(async move {
                let id = quote_store::insert(tx, &quote, &customer, &by).await?;
                let row = quote_store::find(tx, id).await?.ok_or_else(|| Error::NotFound(format!("quote {id}")))?;
                Ok(row.proto)
            })
        })
        .await?;
        tracing::info!(quote = %created.number, lines = created.lines.len(), "quote created");
        Ok(Response::new(created))
    }

    async fn get_quote(&self, request: Request<pb::GetQuoteRequest>) -> Result<Response<pb::Quote>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadOrders)?;
        Ok(Response::new(self.visible(&caller, request.into_inner().id).await?.proto))
    }

    async fn list_quotes(
        &self,
        request: Request<pb::ListQuotesRequest>,
    ) -> Result<Response<pb::ListQuotesResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadOrders)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        let wanted = validation::status_filter(&mut v, &input.status, &status::ALL);
        v.finish()?;
        let filter =
            QuoteFilter { customer_id: input.customer_id.max(0), status: wanted, office: caller.territory(), page };
        let mut rows = quote_store::list(&self.db, &filter).await?;
        let next_cursor = page.finish(&mut rows, |row| row.id);
        Ok(Response::new(pb::ListQuotesResponse {
            items: rows.into_iter().map(|row| row.proto).collect(),
            next_cursor,
        }))
    }

    async fn send_quote(&self, request: Request<pb::QuoteActionRequest>) -> Result<Response<pb::Quote>, Status> {
        self.decide(request, &[status::DRAFT], status::SENT).await
    }

    /// The customer said yes (a quote agreed by phone may skip "sent").
    async fn accept_quote(&self, request: Request<pb::QuoteActionRequest>) -> Result<Response<pb::Quote>, Status> {
        self.decide(request, &[status::DRAFT, status::SENT], status::ACCEPTED).await
    }

    async fn reject_quote(&self, request: Request<pb::QuoteActionRequest>) -> Result<Response<pb::Quote>, Status> {
        self.decide(request, &[status::DRAFT, status::SENT], status::REJECTED).await
    }
}
