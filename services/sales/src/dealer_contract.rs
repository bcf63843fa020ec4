//! The dealer contract (hợp đồng đại lý) of an approved dealer-opening request: a contract of kind
//! `dealer` made in draft with the approval, in the dealer's office and under the salesperson who
//! owns the request; its signed copies are kept like any contract's, and signing it needs one.

use atq_platform::business_time::{local_date, now_micros};
use atq_platform::{Error, Tx};

use crate::contract::{ContractKind, NewContract};
use crate::dealer_application_store::ApplicationRow;
use crate::tier_rules::Tier;
use crate::{contract_store, customer_store};

/// The tier as the contract's name says it.
fn tier_name(tier: Tier) -> &'static str {
    match tier {
        Tier::Distributor => "nhà phân phối",
        Tier::Tier1 => "cấp 1",
        Tier::Tier2 => "cấp 2",
    }
}

/// The contract's terms as drafted: the directors fill in the value and dates when it is signed.
pub fn drafted(row: &ApplicationRow, customer_id: i64, customer_name: &str, tier: Tier) -> NewContract {
    let name: String = format!("Hợp đồng đại lý {} – {customer_name}", tier_name(tier)).chars().take(300).collect();
    NewContract {
        name,
        customer_id,
        responsible: row.owner.clone(),
        made_on: local_date(now_micros()),
        ends_on: None,
        value: 0,
        note: format!("Lập khi duyệt phiếu đề nghị mở đại lý {}", row.number),
        opportunity_id: None,
        kind: ContractKind::Dealer,
    }
}

/// Makes the dealer contract of the approval in the caller's transaction; returns its id.
pub async fn create(tx: &mut Tx, row: &ApplicationRow, customer_id: i64, tier: Tier, by: &str) -> Result<i64, Error> {
    let customer = customer_store::find(&mut **tx, customer_id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("customer {customer_id}")))?;
    let contract = drafted(row, customer_id, &customer.fields.name, tier);
    let id = contract_store::insert(tx, &contract, &customer, by).await?;
    tracing::info!(application = %row.number, contract_id = id, "dealer contract drafted");
    Ok(id)
}
