//! gRPC adapter for `atq.sales.v1.Quotes`: authorises, reads the catalog and the price sheet for
//! new lines; the rules live in [`crate::quote`].

use atq_platform::caller::Action;
use atq_platform::catalog::CatalogReader;
use atq_platform::paging::Page;
use atq_platform::validation::{self, Violations};
use atq_platform::{Caller, Db, Error, idempotency};
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::quotes_server::Quotes;
use tonic::{Request, Response, Status};

use crate::customer_store::{self, CustomerRow};
use crate::promotion_pricing::{self, priced_line};
use crate::quote::{self, NewQuote, QuoteDecision, QuoteStatus};
use crate::quote_store::{self, QuoteFilter, QuoteRow};
use crate::tier_prices;

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

    /// The customer, in the caller's territory, and the quote's lines priced from the catalog and
    /// the price sheet in force for the customer's group, or a dealer's tier.
    async fn parse_new(
        &self,
        caller: &Caller,
        input: &pb::CreateQuoteRequest,
    ) -> Result<(NewQuote, CustomerRow), Error> {
        let customer = customer_store::find(self.db.pool(), input.customer_id)
            .await?
            .filter(|c| caller.sees_office(c.fields.office))
            .ok_or_else(|| Error::invalid("customer_id", "no customer in your territory has this id"))?;
        let ids: Vec<i64> = input.lines.iter().map(|l| l.product_id).filter(|id| *id > 0).collect();
        let catalog = self.catalog.products(caller, &ids).await?;
        let unpriced: Vec<i64> =
            input.lines.iter().filter(|l| l.unit_price.is_none() && l.product_id > 0).map(|l| l.product_id).collect();
        let sheet = tier_prices::sheet_prices(&self.db, &self.catalog, caller, &customer, &unpriced).await?;
        let mut quote = NewQuote::parse(input, &catalog, sheet.as_ref())?;
        let lines: Vec<_> = quote
            .lines
            .iter()
            .map(|l| priced_line(catalog.get(&l.product_id), l.product_id, l.quantity, l.net_unit_price, l.net_amount))
            .collect();
        let promotions = promotion_pricing::for_document(&self.db, &self.catalog, caller, &customer, &lines).await?;
        quote.promotion_uses = promotion_pricing::discount_quote(&mut quote.lines, &promotions)?;
        Ok((quote, customer))
    }

    async fn decide(
        &self,
        request: Request<pb::QuoteActionRequest>,
        from: &[QuoteStatus],
        to: QuoteStatus,
    ) -> Result<Response<pb::Quote>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteOrders)?;
        let input = request.into_inner();
        let decision = QuoteDecision::try_from(&input)?;
        let quote = self.visible(&caller, input.id).await?;
        Ok(Response::new(quote::decide(&self.db, &caller, quote, from, to, &decision).await?))
    }
}

#[tonic::async_trait]
impl Quotes for QuoteApi {
    async fn create_quote(&self, request: Request<pb::CreateQuoteRequest>) -> Result<Response<pb::Quote>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteOrders)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let (quote, customer) = self.parse_new(&caller, &input).await?;
        Ok(Response::new(quote::create(&self.db, &caller, key.as_deref(), &input, quote, customer, None).await?))
    }

    async fn create_quote_for_opportunity(
        &self,
        request: Request<pb::CreateQuoteForOpportunityRequest>,
    ) -> Result<Response<pb::Quote>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteOrders)?;
        let key = idempotency::key_of(&request)?;
        let wrapper = request.into_inner();
        if wrapper.opportunity_id <= 0 {
            return Err(Error::invalid("opportunity_id", "is required").into());
        }
        let input = wrapper.quote.clone().unwrap_or_default();
        let (quote, customer) = self.parse_new(&caller, &input).await?;
        let opportunity = Some(wrapper.opportunity_id);
        Ok(Response::new(
            quote::create(&self.db, &caller, key.as_deref(), &wrapper, quote, customer, opportunity).await?,
        ))
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
        let wanted = validation::status_filter(&mut v, &input.status, QuoteStatus::ALL);
        v.finish()?;
        let filter = QuoteFilter {
            customer_id: input.customer_id.max(0),
            opportunity_id: input.opportunity_id.max(0),
            status: wanted,
            office: caller.territory(),
            page,
        };
        let mut rows = quote_store::list(&self.db, &filter).await?;
        let next_cursor = page.finish(&mut rows, |row| row.id);
        Ok(Response::new(pb::ListQuotesResponse {
            items: rows.into_iter().map(|row| row.proto).collect(),
            next_cursor,
        }))
    }

    async fn send_quote(&self, request: Request<pb::QuoteActionRequest>) -> Result<Response<pb::Quote>, Status> {
        self.decide(request, &[QuoteStatus::Draft], QuoteStatus::Sent).await
    }

    /// The customer said yes (a quote agreed by phone may skip "sent").
    async fn accept_quote(&self, request: Request<pb::QuoteActionRequest>) -> Result<Response<pb::Quote>, Status> {
        self.decide(request, &[QuoteStatus::Draft, QuoteStatus::Sent], QuoteStatus::Accepted).await
    }

    async fn reject_quote(&self, request: Request<pb::QuoteActionRequest>) -> Result<Response<pb::Quote>, Status> {
        self.decide(request, &[QuoteStatus::Draft, QuoteStatus::Sent], QuoteStatus::Rejected).await
    }
}
