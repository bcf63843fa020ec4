//! Exchange rates and duty rates as entered: decimal text to integers, CSV rows to inputs.

use atq_platform::business_time::{date_to_proto, parse_local_date};
use atq_platform::currency::{parse_currency, rate_e4_from_text};
use atq_platform::validation::Violations;
use atq_proto::importplanning::v1 as pb;

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
