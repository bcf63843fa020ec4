//! gRPC adapter for `atq.sales.v1.Discussion`: authorises and finds the subject inside the
//! caller's territory; the rules live in [`crate::discussion`] and [`crate::record_files`].

use atq_platform::caller::Action;
use atq_platform::paging::Page;
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error, idempotency};
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::discussion_server::Discussion;
use tonic::{Request, Response, Status};

use crate::discussion::{self, Subject, SubjectKind};
use crate::{discussion_store, record_files, record_files_store};

const FILE_KINDS: &[SubjectKind] = &[SubjectKind::Customer, SubjectKind::Opportunity, SubjectKind::DealerApplication];
const COMMENT_KINDS: &[SubjectKind] =
    &[SubjectKind::Customer, SubjectKind::Opportunity, SubjectKind::Contract, SubjectKind::Order];

pub struct DiscussionApi {
    pub db: Db,
}

impl DiscussionApi {
    /// The subject named by the request, if the caller may read records of its kind and office.
    async fn subject(&self, caller: &Caller, kind: &str, id: i64, kinds: &[SubjectKind]) -> Result<Subject, Error> {
        let kind = discussion::parse_kind(kind, kinds)?;
        caller.require(match kind {
            SubjectKind::Customer | SubjectKind::Opportunity | SubjectKind::DealerApplication => Action::ReadCustomers,
            SubjectKind::Contract | SubjectKind::Order => Action::ReadOrders,
        })?;
        discussion::visible_subject(&self.db, caller, kind, id).await
    }
}

#[tonic::async_trait]
impl Discussion for DiscussionApi {
    async fn add_comment(&self, request: Request<pb::AddCommentRequest>) -> Result<Response<pb::Comment>, Status> {
        let caller = Caller::of(&request)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let subject = self.subject(&caller, &input.subject_kind, input.subject_id, COMMENT_KINDS).await?;
        Ok(Response::new(discussion::add_comment(&self.db, &caller, key.as_deref(), &input, subject).await?))
    }

    async fn list_comments(
        &self,
        request: Request<pb::ListCommentsRequest>,
    ) -> Result<Response<pb::ListCommentsResponse>, Status> {
        let caller = Caller::of(&request)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        v.finish()?;
        let subject = self.subject(&caller, &input.subject_kind, input.subject_id, COMMENT_KINDS).await?;
        let mut items = discussion_store::comments(&self.db, subject.kind, subject.id, page).await?;
        let next_cursor = page.finish(&mut items, |comment| comment.id);
        Ok(Response::new(pb::ListCommentsResponse { items, next_cursor }))
    }

    async fn list_notifications(
        &self,
        request: Request<pb::ListNotificationsRequest>,
    ) -> Result<Response<pb::ListNotificationsResponse>, Status> {
        let caller = Caller::of(&request)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        v.finish()?;
        let mut items = discussion_store::notifications(&self.db, &caller.username, input.unread_only, page).await?;
        let next_cursor = page.finish(&mut items, |notification| notification.id);
        let unread_count = discussion_store::unread_count(&self.db, &caller.username).await?;
        Ok(Response::new(pb::ListNotificationsResponse { items, next_cursor, unread_count }))
    }

    async fn mark_notification_read(
        &self,
        request: Request<pb::MarkNotificationReadRequest>,
    ) -> Result<Response<pb::Notification>, Status> {
        let caller = Caller::of(&request)?;
        let id = request.into_inner().id;
        let notification = discussion_store::mark_read(&self.db, &caller.username, id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("notification {id}")))?;
        Ok(Response::new(notification))
    }

    async fn mark_all_notifications_read(
        &self,
        request: Request<pb::MarkAllNotificationsReadRequest>,
    ) -> Result<Response<pb::MarkAllNotificationsReadResponse>, Status> {
        let caller = Caller::of(&request)?;
        let marked = discussion_store::mark_all_read(&self.db, &caller.username).await?;
        Ok(Response::new(pb::MarkAllNotificationsReadResponse { marked }))
    }

    async fn attach_record_file(
        &self,
        request: Request<pb::AttachRecordFileRequest>,
    ) -> Result<Response<pb::RecordFile>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let input = request.into_inner();
        let subject = self.subject(&caller, &input.subject_kind, input.subject_id, FILE_KINDS).await?;
        Ok(Response::new(record_files::attach(&self.db, &caller, &subject, &input).await?))
    }

    async fn list_record_files(
        &self,
        request: Request<pb::ListRecordFilesRequest>,
    ) -> Result<Response<pb::ListRecordFilesResponse>, Status> {
        let caller = Caller::of(&request)?;
        let input = request.into_inner();
        let subject = self.subject(&caller, &input.subject_kind, input.subject_id, FILE_KINDS).await?;
        Ok(Response::new(pb::ListRecordFilesResponse { items: record_files_store::list(&self.db, &subject).await? }))
    }

    async fn get_record_file(
        &self,
        request: Request<pb::GetRecordFileRequest>,
    ) -> Result<Response<pb::RecordFileContent>, Status> {
        let caller = Caller::of(&request)?;
        let input = request.into_inner();
        let subject = self.subject(&caller, &input.subject_kind, input.subject_id, FILE_KINDS).await?;
        let file = record_files_store::content(&self.db, &subject, input.file_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("file {} of {} {}", input.file_id, subject.kind, subject.id)))?;
        Ok(Response::new(file))
    }
}
