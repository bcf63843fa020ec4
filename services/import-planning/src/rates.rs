//! Exchange rates and duty rates: as entered (decimal text to integers, CSV rows to inputs) and
//! stored, all of a statement or none of it.

use atq_platform::Tx;
use atq_platform::business_time::{date_to_proto, parse_local_date};
use atq_platform::currency::{parse_currency, rate_e4_from_text};
use atq_platform::error::Result;
use atq_platform::validation::Violations;
use atq_proto::importplanning::v1 as pb;
use chrono::NaiveDate;

use crate::rate_store::{self, Outcome};

/// Most statements of rates have a few dozen rows; this bounds one upload.
pub const MAX_RATES: usize = 5_000;

/// Rows of `currency,date,rate[,source]`; a first row naming the columns is skipped.
pub fn parse_csv(text: &str, v: &mut Violations) -> Vec<pb::ExchangeRateInput> {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let mut rates = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let row = index + 1;
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                v.add(format!("csv[{row}]"), error.to_string());
                continue;
            }
        };
        let cell = |i: usize| record.get(i).unwrap_or_default();
        if row == 1 && cell(0).eq_ignore_ascii_case("currency") {
            continue;
        }
        if record.len() < 3 {
            v.add(format!("csv[{row}]"), "needs currency, date and rate");
            continue;
        }
        let currency = v.check(&format!("csv[{row}].currency"), parse_currency(cell(0)));
        let date = v.check(&format!("csv[{row}].date"), parse_local_date(cell(1)));
        let rate = v.check(&format!("csv[{row}].rate"), rate_e4_from_text(cell(2)));
        if let (Some(currency), Some(date), Some(rate_e4)) = (currency, date, rate) {
            rates.push(pb::ExchangeRateInput {
                currency,
                effective_on: Some(date_to_proto(date)),
                rate_e4,
                source: cell(3).to_owned(),
            });
        }
    }
    rates
}

/// HS code prefix as digits only: "9027.80" -> "902780".
pub fn hs_digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// One exchange rate as entered, checked: VND per unit x 10,000 from its day on.
#[derive(Clone, Debug)]
pub struct NewRate {
    pub currency: String,
    pub effective_on: NaiveDate,
    pub rate_e4: i64,
    pub source: String,
}

/// A statement of exchange rates.
#[derive(Clone, Debug)]
pub struct ExchangeRates(pub Vec<NewRate>);

/// One duty rate as entered, checked: the HS prefix as digits, the rate in basis points.
#[derive(Clone, Debug)]
pub struct NewDutyRate {
    pub hs_prefix: String,
    pub rate_bp: i64,
    pub note: String,
}

/// A list of duty rates to set.
#[derive(Clone, Debug)]
pub struct DutyRates(pub Vec<NewDutyRate>);

/// Stores a statement of rates: new ones, corrections, and repeats that change nothing.
pub async fn set_exchange_rates(tx: &mut Tx, rates: &ExchangeRates, by: &str) -> Result<pb::SetExchangeRatesResponse> {
    let mut reply = pb::SetExchangeRatesResponse::default();
    for rate in &rates.0 {
        let (outcome, stored) =
            rate_store::upsert(tx, &rate.currency, rate.effective_on, rate.rate_e4, &rate.source, by).await?;
        match outcome {
            Outcome::Created => reply.created += 1,
            Outcome::Changed => reply.changed += 1,
            Outcome::Unchanged => reply.unchanged += 1,
        }
        reply.rates.push(stored);
    }
    Ok(reply)
}

pub async fn set_duty_rates(tx: &mut Tx, rates: &DutyRates) -> Result<()> {
    for rate in &rates.0 {
        rate_store::set_duty(tx, &rate.hs_prefix, rate.rate_bp, &rate.note).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_become_rates_and_bad_cells_are_named_by_row() {
        let mut v = Violations::new();
        let rates =
            parse_csv("currency,date,rate,source\nUSD,2026-11-02,25380.5,Vietcombank\nJPY,2026-11-02,166.12\n", &mut v);
        assert!(v.is_empty());
        assert_eq!(rates.len(), 2);
        assert_eq!((rates[1].currency.as_str(), rates[1].rate_e4), ("JPY", 1_661_200));
        let mut v = Violations::new();
        parse_csv("BTC,2026-11-02,1\nUSD,02/11/2026,25380\n", &mut v);
        let Err(atq_platform::Error::Invalid(fields)) = v.finish() else { panic!("errors expected") };
        assert_eq!(fields.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), ["csv[1].currency", "csv[2].date"]);
    }
}
