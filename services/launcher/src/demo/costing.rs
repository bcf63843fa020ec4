//! Demo exchange and duty rates, so a landed-cost preview works from the first minute. Both are
//! set by currency and day or by HS prefix, so loading twice changes nothing.

use anyhow::Context;
use atq_platform::business_time::{date_to_proto, local_date, now_micros};
use atq_platform::{InternalKey, grpc_client};
use atq_proto::importplanning::v1::costing_client::CostingClient;
use atq_proto::importplanning::v1::{DutyRate, ExchangeRateInput, SetDutyRatesRequest, SetExchangeRatesRequest};
use chrono::Datelike;
use tonic::transport::Channel;

/// VND per unit x 10,000: sample figures of late 2026, to be replaced by the bank's.
const RATES: &[(&str, i64)] = &[
    ("USD", 253_805_000),
    ("EUR", 274_505_000),
    ("JPY", 1_661_200),
    ("GBP", 321_500_000),
    ("CHF", 289_000_000),
    ("CNY", 35_200_000),
    ("KRW", 184_500),
    ("SGD", 190_500_000),
];

/// Import duty by HS heading of the demo catalog: sample figures; check the current tariff.
const DUTIES: &[(&str, i32)] = &[
    ("8413", 300),
    ("8419", 0),
    ("8421", 0),
    ("9011", 0),
    ("9023", 0),
    ("9024", 0),
    ("9026", 0),
    ("9027", 0),
    ("9029", 0),
    ("9031", 0),
];

pub async fn load(channel: Channel, key: &InternalKey) -> anyhow::Result<()> {
    let client = CostingClient::new(channel);
    let officer = crate::demo::import_officer();
    let today = local_date(now_micros());
    let month_start = today.with_day(1).unwrap_or(today);
    let rates = SetExchangeRatesRequest {
        rates: RATES
            .iter()
            .map(|(currency, rate_e4)| ExchangeRateInput {
                currency: (*currency).into(),
                effective_on: Some(date_to_proto(month_start)),
                rate_e4: *rate_e4,
                source: "demo figure".into(),
            })
            .collect(),
        csv: String::new(),
    };
    grpc_client::with_retry(|| {
        let mut client = client.clone();
        let request = grpc_client::request(rates.clone(), key, &officer, None);
        async move { client.set_exchange_rates(request).await }
    })
    .await
    .context("demo exchange rates")?;
    let duties = SetDutyRatesRequest {
        rates: DUTIES
            .iter()
            .map(|(hs_prefix, rate_bp)| DutyRate {
                hs_prefix: (*hs_prefix).into(),
                rate_bp: *rate_bp,
                note: "demo figure".into(),
            })
            .collect(),
    };
    grpc_client::with_retry(|| {
        let mut client = client.clone();
        let request = grpc_client::request(duties.clone(), key, &officer, None);
        async move { client.set_duty_rates(request).await }
    })
    .await
    .context("demo duty rates")?;
    Ok(())
}
