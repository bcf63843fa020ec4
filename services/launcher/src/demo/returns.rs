//! Goods back from a customer: one unit of a shipped order returns in good condition, with its
//! reducing invoice (hóa đơn điều chỉnh giảm), so the returns list, the reduced
//! receivable and the printed reduction have something to show.

use anyhow::Context;
use atq_proto::accountingwarehouse::v1::accounting_client::AccountingClient;
use atq_proto::accountingwarehouse::v1::returns_client::ReturnsClient;
use atq_proto::accountingwarehouse::v1::{
    Condition, CreateReturnRequest, Invoice, ListInvoicesRequest, ListReturnsRequest, ReturnLineRequest,
};
use atq_proto::common::v1::PageRequest;

use super::catalog::Catalog;
use super::orders::{Pay, Shipment};
use super::{Services, accountant};

const RETURN_KEY: &str = "demo-return-1";
const REASON: &str = "Khách đổi cấu hình, hàng còn nguyên đai nguyên kiện";

fn first_page() -> Option<PageRequest> {
    Some(PageRequest { limit: 100, cursor: String::new() })
}

/// Unpaid invoices first, then those paid in part: the return then lowers what is still owed.
fn preference(shipment: &Shipment) -> u8 {
    match shipment.pay {
        Pay::Nothing => 0,
        Pay::Part(_) => 1,
        Pay::Full | Pay::BankTransfer => 2,
    }
}

/// The invoice of the preferred shipment with a line that is not serial-tracked (a unit coming
/// back needs no serial picked then), and that line.
async fn invoice_to_reduce(
    services: &Services,
    catalog: &Catalog,
    shipments: &[Shipment],
) -> anyhow::Result<Option<(Invoice, i32)>> {
    let client = AccountingClient::new(services.accounts.clone());
    let mut candidates: Vec<&Shipment> = shipments.iter().collect();
    candidates.sort_by_key(|shipment| preference(shipment));
    for shipment in candidates {
        let message =
            ListInvoicesRequest { customer_id: shipment.customer_id, status: String::new(), page: first_page() };
        let invoices = services
            .call(&client, &accountant(), None, message, |mut c, r| async move { c.list_invoices(r).await })
            .await
            .context("demo invoices to reduce")?;
        let Some(invoice) = invoices.items.into_iter().find(|i| i.dispatch_number == shipment.dispatch_number) else {
            continue;
        };
        if let Some(line) = invoice.lines.iter().find(|l| !catalog.is_serial_tracked(l.product_id)) {
            let line_no = line.line_no;
            return Ok(Some((invoice, line_no)));
        }
    }
    Ok(None)
}

/// One unit of one shipped order back in stock, once: an invoice that already has a return is
/// left alone, and the fixed key makes a retried request the first one.
pub async fn load(services: &Services, catalog: &Catalog, shipments: &[Shipment]) -> anyhow::Result<()> {
    let Some((invoice, line_no)) = invoice_to_reduce(services, catalog, shipments).await? else {
        return Ok(());
    };
    let client = ReturnsClient::new(services.accounts.clone());
    let listed = ListReturnsRequest { customer_id: 0, invoice_id: invoice.id, page: first_page() };
    let existing = services
        .call(&client, &accountant(), None, listed, |mut c, r| async move { c.list_returns(r).await })
        .await
        .context("demo returns")?;
    if !existing.items.is_empty() {
        return Ok(());
    }
    let line = ReturnLineRequest {
        invoice_line_no: line_no,
        quantity: 1,
        condition: Condition::Good as i32,
        serials: Vec::new(),
    };
    let message =
        CreateReturnRequest { invoice_id: invoice.id, returned_on: None, reason: REASON.into(), lines: vec![line] };
    services
        .call(&client, &accountant(), Some(RETURN_KEY), message, |mut c, r| async move { c.create_return(r).await })
        .await
        .with_context(|| format!("the return against {}", invoice.number))?;
    Ok(())
}
