//! gRPC adapter for `atq.importplanning.v1.Costing`: exchange and duty rates, landed-cost preview.

use atq_platform::business_time::date_from_proto;
use atq_platform::caller::Action;
use atq_platform::currency::parse_currency;
use atq_platform::validation::{Violations, optional_text};
use atq_platform::{Caller, Db, Error};
use atq_proto::importplanning::v1 as pb;
use atq_proto::importplanning::v1::costing_server::Costing;
use chrono::NaiveDate;
use tonic::{Request, Response, Status};

use crate::costing;
use crate::rate_store;
use crate::rates::{self, DutyRates, ExchangeRates, MAX_RATES, NewDutyRate, NewRate, hs_digits, parse_csv};

pub struct CostingApi {
    pub db: Db,
}

impl TryFrom<&pb::SetExchangeRatesRequest> for ExchangeRates {
    type Error = Error;

    /// The rates given as a list, or as CSV text.
    fn try_from(input: &pb::SetExchangeRatesRequest) -> Result<Self, Error> {
        let mut v = Violations::new();
        let given = if input.csv.trim().is_empty() { input.rates.clone() } else { parse_csv(&input.csv, &mut v) };
        if given.is_empty() && v.is_empty() {
            v.add("rates", "at least one rate is required");
        } else if given.len() > MAX_RATES {
            v.add("rates", format!("at most {MAX_RATES} rates at once"));
        }
        let mut checked = Vec::new();
        for (i, rate) in given.iter().enumerate() {
            let field = |name: &str| format!("rates[{i}].{name}");
            let currency = v.check(&field("currency"), parse_currency(&rate.currency));
            if currency.as_deref() == Some("VND") {
                v.add(field("currency"), "VND is the home currency");
            }
            let day = match &rate.effective_on {
                Some(date) => v.check(&field("effective_on"), date_from_proto(date)),
                None => {
                    v.add(field("effective_on"), "is required");
                    None
                }
            };
            if rate.rate_e4 <= 0 {
                v.add(field("rate"), "must be more than zero");
            }
            let source = v.check(&field("source"), optional_text(&rate.source, 100)).unwrap_or_default();
            if let (Some(currency), Some(effective_on)) = (currency, day) {
                checked.push(NewRate { currency, effective_on, rate_e4: rate.rate_e4, source });
            }
        }
        v.finish()?;
        Ok(ExchangeRates(checked))
    }
}

impl TryFrom<&pb::SetDutyRatesRequest> for DutyRates {
    type Error = Error;

    fn try_from(input: &pb::SetDutyRatesRequest) -> Result<Self, Error> {
        let mut v = Violations::new();
        if input.rates.is_empty() {
            v.add("rates", "at least one rate is required");
        }
        let mut checked = Vec::new();
        for (i, rate) in input.rates.iter().enumerate() {
            let hs_prefix = hs_digits(&rate.hs_prefix);
            if !(2..=10).contains(&hs_prefix.len()) {
                v.add(format!("rates[{i}].hs_code"), "must be an HS code or its first 2 to 10 digits");
            }
            if !(0..=10_000).contains(&rate.rate_bp) {
                v.add(format!("rates[{i}].rate"), "must be from 0 to 1");
            }
            let note = v.check(&format!("rates[{i}].note"), optional_text(&rate.note, 200)).unwrap_or_default();
            checked.push(NewDutyRate { hs_prefix, rate_bp: i64::from(rate.rate_bp), note });
        }
        v.finish()?;
        Ok(DutyRates(checked))
    }
}

/// Which exchange rates a list asks for: one currency's (or all), in force on a day or all history.
struct RateQuery {
    currency: String,
    on: Option<NaiveDate>,
}

impl TryFrom<&pb::ListExchangeRatesRequest> for RateQuery {
    type Error = Error;

    fn try_from(input: &pb::ListExchangeRatesRequest) -> Result<Self, Error> {
        let mut v = Violations::new();
        let currency = match input.currency.trim() {
            "" => String::new(),
            text => v.check("currency", parse_currency(text)).unwrap_or_default(),
        };
        let on = input.on.as_ref().and_then(|d| v.check("on", date_from_proto(d)));
        v.finish()?;
        Ok(RateQuery { currency, on })
    }
}

#[tonic::async_trait]
impl Costing for CostingApi {
    async fn set_exchange_rates(
        &self,
        request: Request<pb::SetExchangeRatesRequest>,
    ) -> Result<Response<pb::SetExchangeRatesResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteRates)?;
        let rates = ExchangeRates::try_from(request.get_ref())?;
        // All or nothing: a statement with one bad row changes no rate.
        let mut tx = self.db.begin().await.map_err(Error::from)?;
        let reply = rates::set_exchange_rates(&mut tx, &rates, &caller.username).await?;
        tx.commit().await.map_err(Error::from)?;
        tracing::info!(created = reply.created, changed = reply.changed, "exchange rates set");
        Ok(Response::new(reply))
    }

    async fn list_exchange_rates(
        &self,
        request: Request<pb::ListExchangeRatesRequest>,
    ) -> Result<Response<pb::ListExchangeRatesResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCosts)?;
        let query = RateQuery::try_from(request.get_ref())?;
        let mut items = match query.on {
            Some(day) => rate_store::in_force(&self.db, day).await?,
            None => rate_store::history(&self.db, &query.currency).await?,
        };
        if !query.currency.is_empty() {
            items.retain(|rate| rate.currency == query.currency);
        }
        Ok(Response::new(pb::ListExchangeRatesResponse { items }))
    }

    async fn set_duty_rates(
        &self,
        request: Request<pb::SetDutyRatesRequest>,
    ) -> Result<Response<pb::ListDutyRatesResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteRates)?;
        let rates = DutyRates::try_from(request.get_ref())?;
        let mut tx = self.db.begin().await.map_err(Error::from)?;
        rates::set_duty_rates(&mut tx, &rates).await?;
        tx.commit().await.map_err(Error::from)?;
        Ok(Response::new(pb::ListDutyRatesResponse { items: rate_store::duty_rates(&self.db).await? }))
    }

    async fn list_duty_rates(
        &self,
        request: Request<pb::ListDutyRatesRequest>,
    ) -> Result<Response<pb::ListDutyRatesResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCosts)?;
        Ok(Response::new(pb::ListDutyRatesResponse { items: rate_store::duty_rates(&self.db).await? }))
    }

    async fn preview_landed_cost(
        &self,
        request: Request<pb::LandedCostRequest>,
    ) -> Result<Response<pb::LandedCostResult>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCosts)?;
        Ok(Response::new(costing::landed_cost(&self.db, request.get_ref()).await?))
    }
}
