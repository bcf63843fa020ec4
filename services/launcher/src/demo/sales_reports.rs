//! The demo salesperson's reports: last week's summary, submitted with a note, a customer
//! evaluation and a competitor note, and today's daily report saved as a draft. A report already
//! there is left as it is, so loading twice adds nothing.

use atq_platform::business_time::{add_days, local_date, now_micros};
use atq_proto::common::v1::Office as WireOffice;
use atq_proto::sales::v1::sales_reports_client::SalesReportsClient;
use atq_proto::sales::v1::{
    CurrentSalesReportRequest, SalesReportCompetitor, SalesReportEvaluation, SaveSalesReportRequest,
    SubmitSalesReportRequest,
};
use chrono::Datelike;

use super::customers::Customer;
use super::{Services, seller_of};

fn iso_week(date: chrono::NaiveDate) -> String {
    format!("{}-W{:02}", date.iso_week().year(), date.iso_week().week())
}

pub async fn load(services: &Services, customers: &[Customer]) -> anyhow::Result<()> {
    let client = SalesReportsClient::new(services.sales.clone());
    let seller = seller_of(WireOffice::Hn);
    let today = local_date(now_micros());
    let Some(customer) = customers.iter().find(|c| c.office == WireOffice::Hn) else {
        return Ok(());
    };
    let last_week = iso_week(add_days(today, -7));
    let current = CurrentSalesReportRequest { kind: "weekly".into(), period: last_week.clone() };
    let week = services
        .call(&client, &seller, None, current, |mut c, r| async move { c.get_current_sales_report(r).await })
        .await?;
    if week.status != "submitted" {
        let save = SaveSalesReportRequest {
            kind: "weekly".into(),
            period: last_week.clone(),
            expected_version: week.version,
            notes: "Tuần qua tập trung chăm sóc khối trường học và thu hồi công nợ các công trình.".into(),
            evaluations: vec![SalesReportEvaluation {
                customer_id: customer.id,
                rating: 4,
                remark: "Khách hàng tiềm năng, thanh toán đúng hạn".into(),
                ..Default::default()
            }],
            competitors: vec![SalesReportCompetitor {
                competitor: "Công ty Thiết bị Khoa học Hà Thành".into(),
                product: "Máy đo độ nhớt".into(),
                price: 265_000_000,
                remark: "Chào giá thấp hơn khoảng 7%, bảo hành 12 tháng".into(),
            }],
        };
        let saved =
            services.call(&client, &seller, None, save, |mut c, r| async move { c.save_sales_report(r).await }).await?;
        let submit = SubmitSalesReportRequest {
            kind: "weekly".into(),
            period: last_week.clone(),
            expected_version: saved.version,
        };
        let key = format!("demo-sales-report-{last_week}-{}", seller.username);
        services
            .call(&client, &seller, Some(&key), submit, |mut c, r| async move { c.submit_sales_report(r).await })
            .await?;
    }
    let day = CurrentSalesReportRequest { kind: "daily".into(), period: today.to_string() };
    let draft = services
        .call(&client, &seller, None, day, |mut c, r| async move { c.get_current_sales_report(r).await })
        .await?;
    if draft.id == 0 {
        let save = SaveSalesReportRequest {
            kind: "daily".into(),
            period: today.to_string(),
            notes: "Buổi sáng thăm khách hàng, buổi chiều gọi nhắc báo giá.".into(),
            ..Default::default()
        };
        services.call(&client, &seller, None, save, |mut c, r| async move { c.save_sales_report(r).await }).await?;
    }
    Ok(())
}
