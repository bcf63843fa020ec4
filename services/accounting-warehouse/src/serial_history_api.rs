//! gRPC adapter for `atq.accountingwarehouse.v1.SerialHistory`.
//!
//! Who may: whoever reads stock reads a unit's history (ReadStock). Import planning asks it for
//! warranty: which customer has the unit, since when, and what has happened to it.

use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error};
use atq_proto::accountingwarehouse::v1 as pb;
use atq_proto::accountingwarehouse::v1::serial_history_server::SerialHistory;
use tonic::{Request, Response, Status};

use crate::serial_history;

pub struct SerialHistoryApi {
    pub db: Db,
}

/// A serial number as the warehouse writes them: 1 to 64 visible characters.
pub fn parse_serial(text: &str) -> Result<String, String> {
    let serial = text.trim();
    if serial.is_empty() || serial.len() > 64 || !serial.chars().all(|c| c.is_ascii_graphic()) {
        return Err("must be a serial number (1 to 64 visible characters)".into());
    }
    Ok(serial.to_owned())
}

#[tonic::async_trait]
impl SerialHistory for SerialHistoryApi {
    async fn get_serial_history(
        &self,
        request: Request<pb::GetSerialHistoryRequest>,
    ) -> Result<Response<pb::GetSerialHistoryResponse>, Status> {
        Caller::of(&request)?.require(Action::ReadStock)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let serial = v.check("serial", parse_serial(&input.serial));
        if input.product_id < 0 {
            v.add("product_id", "must be a product id");
        }
        v.finish()?;
        let serial = serial.unwrap_or_default();
        let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
        let units = serial_history::history(&mut conn, &serial, input.product_id).await?;
        Ok(Response::new(pb::GetSerialHistoryResponse { units: units.into_iter().map(|u| u.unit).collect() }))
    }
}

#[cfg(test)]
mod tests {
    use super::parse_serial;

    #[test]
    fn serials_are_short_visible_text() {
        assert_eq!(parse_serial(" FN-001 "), Ok("FN-001".to_owned()));
        assert!(parse_serial("").is_err());
        assert!(parse_serial("FN 001").is_err());
        assert!(parse_serial(&"X".repeat(65)).is_err());
    }
}
