//! The JSON bodies of the sales reports' routes and their translation from the wire.

use atq_proto::sales::v1 as pb;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::wire::{date_text, office_text, rfc3339};

#[derive(Serialize, ToSchema)]
pub struct ReportActivityBody {
    pub activity_id: i64,
    pub kind: String,
    pub subject: String,
    pub customer_id: Option<i64>,
    pub customer_name: String,
    pub outcome: String,
    pub done_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReportKindCountBody {
    pub kind: String,
    pub count: i32,
}

#[derive(Serialize, ToSchema)]
pub struct ReportCustomerBody {
    pub customer_id: i64,
    pub code: String,
    pub name: String,
    pub created_at: String,
}

/// A quote sent or an order confirmed; amounts in VND.
#[derive(Serialize, ToSchema)]
pub struct ReportDocumentBody {
    pub id: i64,
    pub number: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub total_net: i64,
    pub total_vat: i64,
    pub total_gross: i64,
    pub at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReportDebtBody {
    pub customer_id: i64,
    pub customer_name: String,
    /// VND owed (open invoices in accounting)
    pub balance: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ReportFiguresBody {
    pub activities_done: Vec<ReportActivityBody>,
    pub activities_by_kind: Vec<ReportKindCountBody>,
    pub new_customers: Vec<ReportCustomerBody>,
    pub quotes_sent: Vec<ReportDocumentBody>,
    pub orders_confirmed: Vec<ReportDocumentBody>,
    pub sales_net: i64,
    pub sales_vat: i64,
    pub sales_gross: i64,
    /// Weekly summaries only: each customer the person looks after that owes money.
    pub debts: Vec<ReportDebtBody>,
    pub debts_total: i64,
}

/// A customer evaluation as sent when saving a report.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct EvaluationBody {
    #[schema(required = true, minimum = 1)]
    pub customer_id: i64,
    #[schema(required = true, minimum = 1, maximum = 5)]
    pub rating: i32,
    pub remark: String,
}

/// A customer evaluation as a report shows it, with the customer's name.
#[derive(Serialize, ToSchema, Default)]
pub struct EvaluationView {
    pub customer_id: i64,
    pub customer_name: String,
    #[schema(minimum = 1, maximum = 5)]
    pub rating: i32,
    pub remark: String,
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CompetitorBody {
    #[schema(required = true, min_length = 1)]
    pub competitor: String,
    /// The product as the salesperson names it (model, or our product code)
    #[schema(required = true, min_length = 1)]
    pub product: String,
    /// VND; 0 when unknown
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub price: i64,
    pub remark: String,
}

#[derive(Serialize, ToSchema)]
pub struct PersonReportBody {
    /// Null for a draft never saved.
    pub id: Option<i64>,
    /// daily or weekly
    pub kind: String,
    pub owner: String,
    pub office: String,
    /// 2026-12-01 (daily) or 2026-W49 (weekly)
    pub period: String,
    pub from: String,
    pub to: String,
    /// draft or submitted
    pub status: String,
    pub notes: String,
    /// Live while a draft, frozen at submission.
    pub figures: ReportFiguresBody,
    pub evaluations: Vec<EvaluationView>,
    pub competitors: Vec<CompetitorBody>,
    pub submitted_at: Option<String>,
    pub version: i64,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

fn time(ts: Option<&prost_types::Timestamp>) -> Option<String> {
    ts.map(|ts| rfc3339(Some(ts)))
}

fn document(d: pb::SalesReportDocument) -> ReportDocumentBody {
    ReportDocumentBody {
        id: d.id,
        number: d.number,
        customer_id: d.customer_id,
        customer_name: d.customer_name,
        total_net: d.total_net,
        total_vat: d.total_vat,
        total_gross: d.total_gross,
        at: rfc3339(d.at.as_ref()),
    }
}

impl From<pb::SalesReportFigures> for ReportFiguresBody {
    fn from(f: pb::SalesReportFigures) -> Self {
        ReportFiguresBody {
            activities_done: f
                .activities_done
                .into_iter()
                .map(|a| ReportActivityBody {
                    activity_id: a.activity_id,
                    kind: a.kind,
                    subject: a.subject,
                    customer_id: (a.customer_id > 0).then_some(a.customer_id),
                    customer_name: a.customer_name,
                    outcome: a.outcome,
                    done_at: rfc3339(a.done_at.as_ref()),
                })
                .collect(),
            activities_by_kind: f
                .activities_by_kind
                .into_iter()
                .map(|k| ReportKindCountBody { kind: k.kind, count: k.count })
                .collect(),
            new_customers: f
                .new_customers
                .into_iter()
                .map(|c| ReportCustomerBody {
                    customer_id: c.customer_id,
                    code: c.code,
                    name: c.name,
                    created_at: rfc3339(c.created_at.as_ref()),
                })
                .collect(),
            quotes_sent: f.quotes_sent.into_iter().map(document).collect(),
            orders_confirmed: f.orders_confirmed.into_iter().map(document).collect(),
            sales_net: f.sales_net,
            sales_vat: f.sales_vat,
            sales_gross: f.sales_gross,
            debts: f
                .debts
                .into_iter()
                .map(|d| ReportDebtBody {
                    customer_id: d.customer_id,
                    customer_name: d.customer_name,
                    balance: d.balance,
                })
                .collect(),
            debts_total: f.debts_total,
        }
    }
}

impl From<pb::SalesReport> for PersonReportBody {
    fn from(r: pb::SalesReport) -> Self {
        PersonReportBody {
            id: (r.id > 0).then_some(r.id),
            kind: r.kind,
            owner: r.owner,
            office: office_text(r.office),
            period: r.period,
            from: date_text(r.from.as_ref()).unwrap_or_default(),
            to: date_text(r.to.as_ref()).unwrap_or_default(),
            status: r.status,
            notes: r.notes,
            figures: ReportFiguresBody::from(r.figures.unwrap_or_default()),
            evaluations: r
                .evaluations
                .into_iter()
                .map(|e| EvaluationView {
                    customer_id: e.customer_id,
                    customer_name: e.customer_name,
                    rating: e.rating,
                    remark: e.remark,
                })
                .collect(),
            competitors: r
                .competitors
                .into_iter()
                .map(|c| CompetitorBody {
                    competitor: c.competitor,
                    product: c.product,
                    price: c.price,
                    remark: c.remark,
                })
                .collect(),
            submitted_at: time(r.submitted_at.as_ref()),
            version: r.version,
            created_at: time(r.created_at.as_ref()),
            updated_at: time(r.updated_at.as_ref()),
        }
    }
}
