//! Stage moves: by hand (a manager's call to reopen a decided deal), and by the quotes and
//! contracts that name an opportunity, inside their own transaction.

use atq_platform::business_time::{local_date, now_micros};
use atq_platform::validation::{Violations, optional_text};
use atq_platform::{Backend, Caller, Db, Error, Tx};
use atq_proto::sales::v1 as pb;

use super::{LostReason, Stage, found, may_reopen};
use crate::opportunity_store::{self, OpportunityRow};

/// A stage move as asked.
#[derive(Clone, Debug)]
pub struct StageMove {
    pub to: Stage,
    pub lost_reason: Option<LostReason>,
    pub competitor: String,
    pub note: String,
}

impl TryFrom<&pb::ChangeStageRequest> for StageMove {
    type Error = Error;

    fn try_from(input: &pb::ChangeStageRequest) -> Result<Self, Error> {
        let mut v = Violations::new();
        let to = Stage::parse(input.stage.trim());
        if to.is_none() {
            v.add("stage", format!("must be one of {}", Stage::ALL.join(", ")));
        }
        let lost_reason = match (to, input.lost_reason.trim()) {
            (Some(Stage::Lost), "") => {
                v.add("lost_reason", "is required when the opportunity is lost");
                None
            }
            (Some(Stage::Lost), text) => {
                let reason = LostReason::parse(text);
                if reason.is_none() {
                    v.add("lost_reason", format!("must be one of {}", LostReason::ALL.join(", ")));
                }
                reason
            }
            _ => None,
        };
        let competitor = v.check("competitor", optional_text(&input.competitor, 200)).unwrap_or_default();
        let note = v.check("note", optional_text(&input.note, 2000)).unwrap_or_default();
        v.finish()?;
        let to = to.ok_or_else(|| Error::invalid("stage", "is required"))?;
        let competitor = if to == Stage::Lost { competitor } else { String::new() };
        Ok(StageMove { to, lost_reason, competitor, note })
    }
}

/// Whether `caller` may take the opportunity from its stage to `to`.
pub fn check_move(row: &OpportunityRow, to: Stage, caller: &Caller) -> Result<(), Error> {
    if row.stage.is_closed() && to != row.stage && !may_reopen(caller.role) {
        return Err(Error::Conflict(format!(
            "opportunity {} is {}; only a sales manager or a director may reopen it",
            row.id, row.stage
        )));
    }
    Ok(())
}

/// Moves the opportunity as asked; the same stage again changes nothing.
pub async fn change_stage(
    db: &Db,
    caller: &Caller,
    row: &OpportunityRow,
    wanted: &StageMove,
) -> Result<pb::Opportunity, Error> {
    if row.stage == wanted.to {
        return Ok(row.proto.clone());
    }
    check_move(row, wanted.to, caller)?;
    let mut tx = db.begin().await?;
    move_in(&mut tx, db.backend(), row, wanted, &caller.username).await?;
    let moved = found(&mut tx, row.id).await?;
    tx.commit().await?;
    tracing::info!(opportunity = row.id, from = %row.stage, to = %wanted.to, "opportunity moved");
    Ok(moved.proto)
}

/// Moves within `tx`: the stage's probability, closed_on when won or lost, a history entry, an event.
async fn move_in(
    tx: &mut Tx,
    backend: Backend,
    row: &OpportunityRow,
    wanted: &StageMove,
    by: &str,
) -> Result<(), Error> {
    let closed_on = wanted.to.is_closed().then(|| local_date(now_micros()));
    opportunity_store::move_stage(tx, row, wanted, closed_on).await?;
    let moved = found(tx, row.id).await?;
    opportunity_store::record_stage(tx, backend, &moved, Some(row.stage), by, &wanted.note).await
}

fn plain_move(to: Stage, note: String) -> StageMove {
    StageMove { to, lost_reason: None, competitor: String::new(), note }
}

/// The open opportunity a quote or contract for `customer_id` names, in the caller's territory.
pub async fn open_for(tx: &mut Tx, caller: &Caller, id: i64, customer_id: i64) -> Result<OpportunityRow, Error> {
    let row = opportunity_store::find(tx, id)
        .await?
        .filter(|row| caller.sees_office(row.office))
        .ok_or_else(|| Error::invalid("opportunity_id", "no opportunity in your territory has this id"))?;
    if row.customer_id != customer_id {
        return Err(Error::invalid("opportunity_id", "belongs to another customer"));
    }
    if row.stage.is_closed() {
        return Err(Error::invalid("opportunity_id", format!("is already {}", row.stage)));
    }
    Ok(row)
}

/// A quote was made for the opportunity: an early one moves to proposal.
pub async fn propose_in(
    tx: &mut Tx,
    backend: Backend,
    row: &OpportunityRow,
    by: &str,
    number: &str,
) -> Result<(), Error> {
    if matches!(row.stage, Stage::Prospecting | Stage::Qualified) {
        move_in(tx, backend, row, &plain_move(Stage::Proposal, format!("quote {number}")), by).await?;
    }
    Ok(())
}

/// An accepted quote or a signed contract wins the open opportunity it names; a closed one stays.
pub async fn win_in(tx: &mut Tx, backend: Backend, id: i64, by: &str, reason: String) -> Result<(), Error> {
    let Some(row) = opportunity_store::find(tx, id).await? else { return Ok(()) };
    if row.stage.is_closed() {
        return Ok(());
    }
    move_in(tx, backend, &row, &plain_move(Stage::Won, reason), by).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lost_opportunity_needs_a_known_reason() {
        let ask = |stage: &str, reason: &str| {
            StageMove::try_from(&pb::ChangeStageRequest {
                stage: stage.into(),
                lost_reason: reason.into(),
                competitor: "Hãng B".into(),
                ..Default::default()
            })
        };
        let Error::Invalid(fields) = ask("lost", "").unwrap_err() else { panic!("field errors") };
        assert_eq!(fields[0].field, "lost_reason");
        assert!(ask("lost", "cheaper").is_err());
        let lost = ask("lost", "competitor").unwrap();
        assert_eq!((lost.lost_reason, lost.competitor.as_str()), (Some(LostReason::Competitor), "Hãng B"));
        assert_eq!(ask("qualified", "").unwrap().competitor, "");
        assert!(ask("closed", "").is_err());
    }
}
