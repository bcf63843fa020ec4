//! Opening stock of the three warehouses, received by the warehouse keeper at 62% of the list
//! price (a landed cost the price sheet then marks up), with a serial number for every unit of a
//! serial-tracked product.

use anyhow::Context;
use atq_proto::accountingwarehouse::v1::warehouse_client::WarehouseClient;
use atq_proto::accountingwarehouse::v1::{CreateReceiptRequest, ListSerialsRequest, ReceiptLine};
use atq_proto::common::v1::Office as WireOffice;

use super::{Catalog, Services, warehouse_keeper};

/// model, then units in Hà Nội, Hồ Chí Minh City and Đà Lạt.
#[rustfmt::skip]
const OPENING: &[(&str, [i64; 3])] = &[
    ("CLT-100", [1, 1, 1]), ("PR-1", [2, 2, 1]), ("Model 35SA", [1, 2, 1]), ("LPLT 300", [2, 2, 0]),
    ("DT-2236", [5, 4, 4]), ("TI-007", [3, 2, 2]), ("UFL-30", [1, 1, 0]), ("SQP-21", [3, 2, 0]),
    ("P2130101", [10, 6, 2]), ("P2540101", [6, 4, 2]), ("EEC470", [1, 2, 0]), ("IMS 1", [1, 0, 0]),
    ("HL-DS2000", [3, 3, 2]), ("HL-MC100", [8, 6, 4]), ("HL-WQ5", [2, 2, 2]), ("ED-2960", [3, 4, 1]),
    ("ED-4200", [4, 4, 2]),
];

pub const WAREHOUSES: [WireOffice; 3] = [WireOffice::Hn, WireOffice::Hcm, WireOffice::Dl];

/// The landed cost the demo received a product at: 62% of its list price, to the đồng.
pub fn unit_cost(list_price: i64) -> i64 {
    list_price / 100 * 62
}

/// "CLT-100" in Hà Nội -> "CLT100-HN-001", "CLT100-HN-002", ...
fn serials(model: &str, warehouse: WireOffice, count: i64) -> Vec<String> {
    let stem: String = model.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_uppercase();
    let code = match warehouse {
        WireOffice::Hcm => "HCM",
        WireOffice::Dl => "DL",
        _ => "HN",
    };
    (1..=count).map(|n| format!("{stem}-{code}-{n:03}")).collect()
}

pub async fn load(services: &Services, catalog: &Catalog) -> anyhow::Result<()> {
    let client = WarehouseClient::new(services.accounts.clone());
    let keeper = warehouse_keeper();
    for (w, warehouse) in WAREHOUSES.into_iter().enumerate() {
        let mut lines = Vec::new();
        for (model, units) in OPENING {
            let item = catalog.item(model)?;
            let quantity = units[w];
            if quantity == 0 {
                continue;
            }
            lines.push(ReceiptLine {
                product_id: item.id,
                quantity,
                condition: 0,
                unit_cost: unit_cost(item.list_price),
                serials: if item.serial_tracked { serials(model, warehouse, quantity) } else { Vec::new() },
            });
        }
        let message = CreateReceiptRequest {
            warehouse: warehouse as i32,
            kind: "opening".into(),
            reference: format!("TON-DAU-{}", w + 1),
            note: "Tồn đầu kỳ".into(),
            lines,
        };
        let idempotency_key = format!("demo-opening-stock-{}", w + 1);
        services
            .call(
                &client,
                &keeper,
                Some(&idempotency_key),
                message,
                |mut c, r| async move { c.create_receipt(r).await },
            )
            .await
            .with_context(|| format!("demo opening stock {}", w + 1))?;
    }
    Ok(())
}

/// The first `count` units of a product in stock in a warehouse, by serial number.
pub async fn pick_serials(
    services: &Services,
    product_id: i64,
    warehouse: i32,
    count: i64,
) -> anyhow::Result<Vec<String>> {
    let client = WarehouseClient::new(services.accounts.clone());
    let message = ListSerialsRequest { product_id, warehouse };
    let units = services
        .call(&client, &warehouse_keeper(), None, message, |mut c, r| async move { c.list_serials(r).await })
        .await
        .context("demo serials in stock")?;
    let mut in_stock: Vec<String> =
        units.items.into_iter().filter(|u| u.status == "in_stock").map(|u| u.serial).collect();
    in_stock.sort();
    in_stock.truncate(usize::try_from(count).unwrap_or_default());
    anyhow::ensure!(in_stock.len() as i64 == count, "not enough serial numbers in stock to ship");
    Ok(in_stock)
}
