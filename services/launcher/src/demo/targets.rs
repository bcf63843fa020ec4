//! This quarter's sales targets for the demo salespeople and offices, set by the director in one
//! import after the orders are in, so the targets report shows progress. The key names the
//! quarter: loading twice in a quarter adds nothing, and a load in a later quarter sets that one.

use atq_platform::business_time::{local_date, now_micros};
use atq_proto::sales::v1::targets_client::TargetsClient;
use atq_proto::sales::v1::{ImportTargetRow, ImportTargetsRequest, TargetFields};
use chrono::Datelike;

use super::{Services, director};

/// scope, owner, office, metric, category, target
type DemoTarget = (&'static str, &'static str, &'static str, &'static str, &'static str, i64);

const TARGETS: &[DemoTarget] = &[
    ("office", "", "HN", "revenue", "", 6_000_000_000),
    ("office", "", "HN", "new_customers", "", 12),
    ("office", "", "HN", "category_revenue", "chemistry", 2_500_000_000),
    ("office", "", "HCM", "revenue", "", 4_000_000_000),
    ("office", "", "HCM", "visits", "", 60),
    ("office", "", "DL", "revenue", "", 1_500_000_000),
    ("person", "sales.hn", "HN", "revenue", "", 3_000_000_000),
    ("person", "sales.hn", "HN", "new_customers", "", 6),
    ("person", "sales.hn", "HN", "visits", "", 36),
    ("person", "manager.hn", "HN", "revenue", "", 2_000_000_000),
    ("person", "sales.hcm", "HCM", "revenue", "", 3_500_000_000),
    ("person", "sales.hcm", "HCM", "visits", "", 40),
    ("person", "sales.dl", "DL", "revenue", "", 1_200_000_000),
    ("person", "sales.dl", "DL", "visits", "", 24),
];

pub async fn load(services: &Services) -> anyhow::Result<()> {
    let today = local_date(now_micros());
    let quarter = format!("{}-Q{}", today.year(), (today.month() - 1) / 3 + 1);
    let rows = TARGETS
        .iter()
        .zip(2..)
        .map(|((scope, owner, office, metric, category, target), row)| ImportTargetRow {
            row,
            fields: Some(TargetFields {
                period: quarter.clone(),
                scope: (*scope).into(),
                owner: (*owner).into(),
                office: (*office).into(),
                metric: (*metric).into(),
                category: (*category).into(),
                target: target.to_string(),
                // The demo's salespeople work in the office their targets name.
                owner_office: if owner.is_empty() { String::new() } else { (*office).into() },
            }),
        })
        .collect();
    let client = TargetsClient::new(services.sales.clone());
    let key = format!("demo-targets-{quarter}");
    let message = ImportTargetsRequest { rows, dry_run: false };
    let imported = services
        .call(&client, &director(), Some(&key), message, |mut c, r| async move { c.import_targets(r).await })
        .await?;
    anyhow::ensure!(imported.errors.is_empty(), "demo targets refused: {:?}", imported.errors);
    Ok(())
}
