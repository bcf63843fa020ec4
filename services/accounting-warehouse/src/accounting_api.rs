//! gRPC adapter for `atq.accountingwarehouse.v1.Accounting`.

use atq_platform::business_time::{date_from_proto, local_date, now_micros, within_business_range};
use atq_platform::caller::Action;
use atq_platform::paging::Page;
use atq_platform::validation::{self, Violations};
use atq_platform::{Caller, Db, Error, idempotency};
use atq_proto::accountingwarehouse::v1 as pb;
use atq_proto::accountingwarehouse::v1::accounting_server::Accounting;
use tonic::{Request, Response, Status};

use crate::bank_statements::{self, BankLineStatus};
use crate::invoices::{self, InvoiceQuery, InvoiceStatus};
use crate::journal;
use crate::payments::{self, ReceivedPayment};
use crate::receivables::{self, NewCreditTerms};
use crate::sales_customers::SalesCustomers;

/// The statuses a stored bank line can have, for the list's filter.
const REVIEWABLE_STATUSES: [&str; 3] =
    [BankLineStatus::Matched.as_str(), BankLineStatus::Unmatched.as_str(), BankLineStatus::Ignored.as_str()];

pub struct AccountingApi {
    pub db: Db,
    /// Payments, credit terms and balances name customers sales must know.
    pub customers: SalesCustomers,
}

impl AccountingApi {
    async fn connection(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, Error> {
        Ok(self.db.pool().acquire().await?)
    }
}

#[tonic::async_trait]
impl Accounting for AccountingApi {
    async fn get_invoice(&self, request: Request<pb::GetInvoiceRequest>) -> Result<Response<pb::Invoice>, Status> {
        Caller::of(&request)?.require(Action::ReadAccounts)?;
        let id = request.into_inner().id;
        let invoice = invoices::find(&mut *self.connection().await?, id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("invoice {id}")))?;
        Ok(Response::new(invoice))
    }

    async fn list_invoices(
        &self,
        request: Request<pb::ListInvoicesRequest>,
    ) -> Result<Response<pb::ListInvoicesResponse>, Status> {
        Caller::of(&request)?.require(Action::ReadAccounts)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        let status = validation::status_filter(
            &mut v,
            &input.status,
            &[InvoiceStatus::Open.as_str(), InvoiceStatus::Paid.as_str()],
        );
        v.finish()?;
        let query = InvoiceQuery {
            customer_id: input.customer_id.max(0),
            status: InvoiceStatus::parse_filter(&status),
            after_id: page.after_id,
            limit: page.fetch_limit(),
        };
        let mut items = invoices::list(&self.db, &query).await?;
        let next_cursor = page.finish(&mut items, |invoice| invoice.id);
        Ok(Response::new(pb::ListInvoicesResponse { items, next_cursor }))
    }

    async fn record_payment(
        &self,
        request: Request<pb::RecordPaymentRequest>,
    ) -> Result<Response<pb::Payment>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteAccounts)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let payment = ReceivedPayment::try_from(&input)?;
        self.customers.ensure_exists(&caller, payment.customer_id).await?;
        let scope = format!("accounting.RecordPayment:{}", caller.username);
        let db = self.db.clone();
        let payment = idempotency::run_once(&self.db, &scope, key.as_deref(), &input, move |tx| {
            let (db, caller, payment) = (db.clone(), caller.clone(), payment.clone());
            Box::pin(async move { payments::record_payment(tx, &db, &caller, payment).await })
        })
        .await?;
        Ok(Response::new(payment))
    }

    async fn get_customer_balance(
        &self,
        request: Request<pb::CustomerBalanceRequest>,
    ) -> Result<Response<pb::CustomerBalance>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadAccounts)?;
        let customer_id = request.into_inner().customer_id;
        self.customers.ensure_exists(&caller, customer_id).await?;
        Ok(Response::new(receivables::balance(&mut *self.connection().await?, customer_id).await?))
    }

    async fn receivables_aging(
        &self,
        request: Request<pb::ReceivablesAgingRequest>,
    ) -> Result<Response<pb::ReceivablesAgingResponse>, Status> {
        Caller::of(&request)?.require(Action::ReadAccounts)?;
        let as_of = match request.into_inner().as_of {
            None => local_date(now_micros()),
            Some(date) => date_from_proto(&date)
                .and_then(within_business_range)
                .map_err(|message| Error::invalid("as_of", message))?,
        };
        Ok(Response::new(receivables::aging(&mut *self.connection().await?, as_of).await?))
    }

    async fn set_credit_terms(
        &self,
        request: Request<pb::SetCreditTermsRequest>,
    ) -> Result<Response<pb::CreditTerms>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::SetCreditTerms)?;
        let terms = NewCreditTerms::try_from(&request.into_inner())?;
        self.customers.ensure_exists(&caller, terms.customer_id).await?;
        let mut tx = self.db.begin().await.map_err(Error::from)?;
        let terms = receivables::set_credit_terms(&mut tx, &caller, terms).await?;
        tx.commit().await.map_err(Error::from)?;
        Ok(Response::new(terms))
    }

    async fn check_credit(
        &self,
        request: Request<pb::CheckCreditRequest>,
    ) -> Result<Response<pb::CreditCheck>, Status> {
        Caller::of(&request)?.require(Action::ReadOrders)?;
        let input = request.into_inner();
        Ok(Response::new(
            receivables::check_credit(&mut *self.connection().await?, input.customer_id, input.amount).await?,
        ))
    }

    async fn import_bank_statement(
        &self,
        request: Request<pb::ImportBankStatementRequest>,
    ) -> Result<Response<pb::BankStatementImport>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteAccounts)?;
        let csv = request.into_inner().csv;
        // The lines' own identities make the import idempotent; one transaction keeps it whole.
        let mut tx = self.db.begin().await.map_err(Error::from)?;
        let imported = bank_statements::import(&mut tx, &self.db, &caller, &csv).await?;
        tx.commit().await.map_err(Error::from)?;
        tracing::info!(
            matched = imported.matched,
            unmatched = imported.unmatched,
            duplicates = imported.duplicates,
            "bank statement imported"
        );
        Ok(Response::new(imported))
    }

    async fn list_bank_lines(
        &self,
        request: Request<pb::ListBankLinesRequest>,
    ) -> Result<Response<pb::ListBankLinesResponse>, Status> {
        Caller::of(&request)?.require(Action::WriteAccounts)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        let status = validation::status_filter(&mut v, &input.status, &REVIEWABLE_STATUSES);
        v.finish()?;
        let mut items =
            bank_statements::list(&mut *self.connection().await?, &status, page.after_id, page.fetch_limit()).await?;
        let next_cursor = page.finish(&mut items, |line| line.id);
        Ok(Response::new(pb::ListBankLinesResponse { items, next_cursor }))
    }

    async fn match_bank_line(
        &self,
        request: Request<pb::MatchBankLineRequest>,
    ) -> Result<Response<pb::BankLine>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteAccounts)?;
        let input = request.into_inner();
        let mut tx = self.db.begin().await.map_err(Error::from)?;
        let line = bank_statements::match_line(&mut tx, &self.db, &caller, input.id, input.invoice_id).await?;
        tx.commit().await.map_err(Error::from)?;
        Ok(Response::new(line))
    }

    async fn reconcile(&self, request: Request<pb::ReconcileRequest>) -> Result<Response<pb::Reconciliation>, Status> {
        Caller::of(&request)?.require(Action::WriteAccounts)?;
        Ok(Response::new(journal::reconcile(&mut *self.connection().await?).await?))
    }

    async fn trial_balance(
        &self,
        request: Request<pb::TrialBalanceRequest>,
    ) -> Result<Response<pb::TrialBalanceResponse>, Status> {
        Caller::of(&request)?.require(Action::ReadAccounts)?;
        Ok(Response::new(journal::trial_balance(&self.db).await?))
    }
}
