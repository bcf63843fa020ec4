//! The warranty events of the import-planning feed: each step of a case (opened, diagnosed,
//! decided, sent to the supplier, back from the supplier, closed) carries the case as it stands
//! after the step and its product's supplier, for the analytics service report.

use atq_platform::business_time::to_timestamp;
use atq_platform::error::Result;
use atq_platform::{Backend, Tx, outbox};
use atq_proto::importplanning::v1 as pb;

use crate::{product_store, supplier_store};

/// Records one step of a case; the last write of its transaction.
pub async fn record(tx: &mut Tx, backend: Backend, case: &pb::WarrantyCase, step: &str, at: i64) -> Result<()> {
    let supplier_id = match product_store::find(&mut **tx, case.product_id).await? {
        Some(product) => product.fields.supplier_id,
        None => 0,
    };
    let supplier = supplier_store::find(&mut **tx, supplier_id).await?;
    let event = pb::WarrantyCaseChanged {
        // The timeline stays with the case: the report needs only where it stands.
        case: Some(pb::WarrantyCase { timeline: Vec::new(), ..case.clone() }),
        step: step.to_owned(),
        supplier_id,
        supplier_code: supplier.as_ref().map(|s| s.code.clone()).unwrap_or_default(),
        supplier_name: supplier.map(|s| s.fields.name).unwrap_or_default(),
        changed_at: Some(to_timestamp(at)),
    };
    outbox::record(tx, backend, "warranty_case", &case.number, &event).await
}
