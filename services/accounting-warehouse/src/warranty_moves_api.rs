//! gRPC adapter for `atq.accountingwarehouse.v1.WarrantyMoves`.
//!
//! Who may: warranty is the import-export department's (HandleWarranty: import officer, director,
//! admin, and import planning as a service, which owns the warranty cases these moves serve).

use atq_platform::caller::Action;
use atq_platform::{Caller, Db, idempotency};
use atq_proto::accountingwarehouse::v1 as pb;
use atq_proto::accountingwarehouse::v1::warranty_moves_server::WarrantyMoves;
use tonic::{Request, Response, Status};

use crate::warranty_moves::{self, Kind, MoveCommand};

pub struct WarrantyMovesApi {
    pub db: Db,
}

impl WarrantyMovesApi {
    async fn make(
        &self,
        kind: Kind,
        request: Request<pb::WarrantyMoveRequest>,
    ) -> Result<Response<pb::WarrantyMove>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::HandleWarranty)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let command = MoveCommand::try_from(&input)?;
        let scope = format!("warranty.{}:{}", kind.as_str(), caller.username);
        let db = self.db.clone();
        let made = idempotency::run_once(&self.db, &scope, key.as_deref(), &input, move |tx| {
            let (db, caller, command) = (db.clone(), caller.clone(), command.clone());
            Box::pin(async move { warranty_moves::make(tx, &db, &caller, kind, command).await })
        })
        .await?;
        Ok(Response::new(made))
    }
}

#[tonic::async_trait]
impl WarrantyMoves for WarrantyMovesApi {
    async fn issue_replacement(
        &self,
        request: Request<pb::WarrantyMoveRequest>,
    ) -> Result<Response<pb::WarrantyMove>, Status> {
        self.make(Kind::ReplacementIssued, request).await
    }

    async fn receive_faulty(
        &self,
        request: Request<pb::WarrantyMoveRequest>,
    ) -> Result<Response<pb::WarrantyMove>, Status> {
        self.make(Kind::FaultyReceived, request).await
    }

    async fn ship_to_supplier(
        &self,
        request: Request<pb::WarrantyMoveRequest>,
    ) -> Result<Response<pb::WarrantyMove>, Status> {
        self.make(Kind::ShippedToSupplier, request).await
    }

    async fn receive_from_supplier(
        &self,
        request: Request<pb::WarrantyMoveRequest>,
    ) -> Result<Response<pb::WarrantyMove>, Status> {
        self.make(Kind::ReceivedFromSupplier, request).await
    }
}
