//! The accounting-warehouse as warranty calls it: a unit's history, and the moves a case makes on
//! units (each keyed by the case's number and the step, so a retried step finds its move made).
//! The warehouse keeps serials and stock; warranty never reads its tables.

use atq_platform::error::{FieldError, Result};
use atq_platform::{Caller, Error, InternalKey, grpc_client};
use atq_proto::accountingwarehouse::v1 as wh;
use atq_proto::accountingwarehouse::v1::serial_history_client::SerialHistoryClient;
use atq_proto::accountingwarehouse::v1::warranty_moves_client::WarrantyMovesClient;
use tonic::transport::Channel;

#[derive(Clone)]
pub struct Units {
    history: SerialHistoryClient<Channel>,
    moves: WarrantyMovesClient<Channel>,
    key: InternalKey,
}

/// Which move a step makes.
#[derive(Clone, Copy, Debug)]
pub enum MoveKind {
    Replacement,
    FaultyBack,
    ToSupplier,
    FromSupplier,
}

impl Units {
    pub fn new(address: &str, key: InternalKey) -> anyhow::Result<Units> {
        let channel = grpc_client::channel(address)?;
        Ok(Units { history: SerialHistoryClient::new(channel.clone()), moves: WarrantyMovesClient::new(channel), key })
    }

    /// The units carrying the serial (of one product, or of all for 0), as `caller` may see them.
    pub async fn history(&self, serial: &str, product_id: i64, caller: &Caller) -> Result<Vec<wh::SerialUnitHistory>> {
        let reply = grpc_client::with_retry(|| {
            let mut client = self.history.clone();
            let message = wh::GetSerialHistoryRequest { serial: serial.to_owned(), product_id };
            let request = grpc_client::request(message, &self.key, caller, None);
            async move { client.get_serial_history(request).await }
        })
        .await?;
        Ok(reply.into_inner().units)
    }

    /// Makes one move; `renames` turns the warehouse's field names into the case's.
    pub async fn make(
        &self,
        kind: MoveKind,
        message: wh::WarrantyMoveRequest,
        caller: &Caller,
        renames: &[(&str, &str)],
    ) -> Result<wh::WarrantyMove> {
        let reply = grpc_client::with_retry(|| {
            let mut client = self.moves.clone();
            let request = grpc_client::request(message.clone(), &self.key, caller, None);
            async move {
                match kind {
                    MoveKind::Replacement => client.issue_replacement(request).await,
                    MoveKind::FaultyBack => client.receive_faulty(request).await,
                    MoveKind::ToSupplier => client.ship_to_supplier(request).await,
                    MoveKind::FromSupplier => client.receive_from_supplier(request).await,
                }
            }
        })
        .await;
        match reply {
            Ok(reply) => Ok(reply.into_inner()),
            Err(status) => Err(renamed(Error::from(status), renames)),
        }
    }
}

/// A field error of the warehouse named as the case's request names the field.
fn renamed(error: Error, renames: &[(&str, &str)]) -> Error {
    match error {
        Error::Invalid(fields) => Error::Invalid(
            fields
                .into_iter()
                .map(|f| match renames.iter().find(|(from, _)| *from == f.field) {
                    Some((_, to)) => FieldError::new(*to, f.message),
                    None => f,
                })
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warehouse_fields_take_the_case_names() {
        let error = Error::Invalid(vec![FieldError::new("serial", "x"), FieldError::new("note", "y")]);
        match renamed(error, &[("serial", "replacement_serial")]) {
            Error::Invalid(fields) => {
                assert_eq!(fields[0].field, "replacement_serial");
                assert_eq!(fields[1].field, "note");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
