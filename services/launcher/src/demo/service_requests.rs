//! The demo customers' requests: in each office a quality complaint still new, a debt question
//! resolved, a warranty claim waiting for the supplier and a price question waiting for the
//! customer, received over the last days so that some SLA clocks run, some are paused and some
//! are overdue. Keys name the day, each request and step, so loading twice in a day adds nothing
//! and a load on a later day records that day's.

use atq_platform::business_time::{add_days, local_date, now_micros, start_of_local_day, to_timestamp};
use atq_proto::common::v1::Office as WireOffice;
use atq_proto::sales::v1::service_requests_client::ServiceRequestsClient;
use atq_proto::sales::v1::{ChangeServiceRequestStatusRequest, CreateServiceRequestRequest, Mention};

use super::customers::Customer;
use super::{Services, seller_of};

/// kind, channel, priority, subject, days ago received, the statuses it then went through
type DemoRequest = (&'static str, &'static str, &'static str, &'static str, i64, &'static [&'static str]);

const REQUESTS: &[DemoRequest] = &[
    ("quality", "phone", "high", "Máy đo pH hiển thị sai sau hai tuần sử dụng", 3, &[]),
    ("debt", "email", "normal", "Đề nghị đối chiếu công nợ quý trước", 6, &["in_progress", "resolved"]),
    ("warranty", "visit", "normal", "Máy khuấy từ không quay, còn bảo hành", 2, &["in_progress", "waiting_supplier"]),
    ("price", "web", "low", "Hỏi giá bộ thí nghiệm điện học cho 20 phòng", 1, &["waiting_customer"]),
];

/// Requests come in at 09:00 local time.
const NINE_MICROS: i64 = 9 * 3_600_000_000;

pub async fn load(services: &Services, customers: &[Customer]) -> anyhow::Result<()> {
    let client = ServiceRequestsClient::new(services.sales.clone());
    let today = local_date(now_micros());
    let managers = vec![Mention { username: "manager.hn".into(), office: WireOffice::Hn as i32 }];
    for office in [WireOffice::Hn, WireOffice::Hcm, WireOffice::Dl] {
        let seller = seller_of(office);
        let theirs: Vec<&Customer> = customers.iter().filter(|c| c.office == office).collect();
        if theirs.is_empty() {
            continue;
        }
        for (index, (kind, channel, priority, subject, days_ago, steps)) in REQUESTS.iter().enumerate() {
            let message = CreateServiceRequestRequest {
                customer_id: theirs[index % theirs.len()].id,
                channel: (*channel).into(),
                kind: (*kind).into(),
                subject: (*subject).into(),
                priority: (*priority).into(),
                assignee: seller.username.clone(),
                received_at: Some(to_timestamp(start_of_local_day(add_days(today, -days_ago)) + NINE_MICROS)),
                managers: managers.clone(),
                ..Default::default()
            };
            let key = format!("demo-request-{today}-{}-{index}", seller.username);
            let recorded = services
                .call(
                    &client,
                    &seller,
                    Some(&key),
                    message,
                    |mut c, r| async move { c.create_service_request(r).await },
                )
                .await?;
            for (step, status) in steps.iter().enumerate() {
                let change = ChangeServiceRequestStatusRequest {
                    id: recorded.id,
                    status: (*status).into(),
                    note: "Đã liên hệ khách hàng".into(),
                    ..Default::default()
                };
                let key = format!("demo-request-{}-step-{step}", recorded.id);
                services
                    .call(&client, &seller, Some(&key), change, |mut c, r| async move {
                        c.change_service_request_status(r).await
                    })
                    .await?;
            }
        }
    }
    Ok(())
}
