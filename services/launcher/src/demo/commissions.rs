//! The commission plans of the demo company, kept by the director: sales reps earn on paid
//! revenue (more on physics and chemistry kits), sales managers on the gross margin of their own
//! orders. The demo orders paid at load show on the reps' monthly statements. Plans are only ever
//! added to, so one fixed key each: loading twice adds nothing.

use anyhow::Context;
use atq_proto::accountingwarehouse::v1::commissions_client::CommissionsClient;
use atq_proto::accountingwarehouse::v1::{CommissionCategoryRate, CommissionTerms, CreateCommissionPlanRequest};
use atq_proto::common::v1::LocalDate;

use super::{Services, director};

/// (key, name, role, basis, default rate, rates per category), rates in basis points.
type Plan = (&'static str, &'static str, &'static str, &'static str, i32, &'static [(&'static str, i32)]);

const PLANS: &[Plan] = &[
    (
        "demo-commission-plan-reps",
        "Hoa hồng nhân viên kinh doanh",
        "sales_rep",
        "paid_revenue",
        100,
        &[("physics", 150), ("chemistry", 150)],
    ),
    ("demo-commission-plan-managers", "Hoa hồng trưởng phòng kinh doanh", "sales_manager", "gross_margin", 300, &[]),
];

pub async fn load(services: &Services) -> anyhow::Result<()> {
    let client = CommissionsClient::new(services.accounts.clone());
    for &(key, name, role, basis, default_rate_bp, rates) in PLANS {
        let message = CreateCommissionPlanRequest {
            name: name.into(),
            role: role.into(),
            office: String::new(),
            username: String::new(),
            terms: Some(CommissionTerms {
                // Long before any demo payment, so every month the demo is loaded in has a plan.
                effective_from: Some(LocalDate { year: 2020, month: 1, day: 1 }),
                basis: basis.into(),
                default_rate_bp,
                rates: rates
                    .iter()
                    .map(|&(category, rate_bp)| CommissionCategoryRate { category: category.into(), rate_bp })
                    .collect(),
            }),
        };
        services
            .call(&client, &director(), Some(key), message, |mut c, r| async move { c.create_commission_plan(r).await })
            .await
            .with_context(|| format!("the demo commission plan {name}"))?;
    }
    Ok(())
}
