//! The sales bonus scheme for tier-1 dealers, kept by the director: stepped quarterly rates on
//! paid revenue. Minh Phát, approved at tier 1 and paid in full this quarter, so has a bonus
//! statement with figures from the first load. The scheme is never edited, so one fixed key:
//! loading twice adds nothing.

use anyhow::Context;
use atq_proto::accountingwarehouse::v1::bonuses_client::BonusesClient;
use atq_proto::accountingwarehouse::v1::{BonusStep, CreateBonusSchemeRequest};
use atq_proto::common::v1::LocalDate;

use super::{Services, director};

/// Paid net revenue in VND from which a rate in basis points applies to all of it.
const TIER1_STEPS: &[(i64, i32)] = &[(0, 100), (200_000_000, 150), (1_000_000_000, 200)];

pub async fn load(services: &Services) -> anyhow::Result<()> {
    let message = CreateBonusSchemeRequest {
        name: "Thưởng doanh số đại lý cấp 1 theo quý".into(),
        target_kind: "tier".into(),
        target: "tier1".into(),
        period_kind: "quarter".into(),
        // Long before any demo quarter, so every quarter the demo is loaded in has the scheme.
        effective_from: Some(LocalDate { year: 2020, month: 1, day: 1 }),
        steps: TIER1_STEPS.iter().map(|&(threshold, rate_bp)| BonusStep { threshold, rate_bp }).collect(),
    };
    let client = BonusesClient::new(services.accounts.clone());
    services
        .call(&client, &director(), Some("demo-bonus-scheme-tier1"), message, |mut c, r| async move {
            c.create_bonus_scheme(r).await
        })
        .await
        .context("the demo tier-1 bonus scheme")?;
    Ok(())
}
