//! The demo salespeople's week: visits, calls and meetings with their customers on the days of
//! the current week, those already past done (with a visit's check-in and position) except
//! Monday's first call, left overdue. Keys name the week, so loading twice in a week adds
//! nothing and a load in a later week plans that week.

use atq_platform::business_time::{add_days, local_date, now_micros, start_of_local_day, to_timestamp, week_start};
use atq_proto::common::v1::Office as WireOffice;
use atq_proto::sales::v1::activities_client::ActivitiesClient;
use atq_proto::sales::v1::{ActivityPosition, CompleteActivityRequest, CreateActivityRequest};

use super::customers::Customer;
use super::{Services, seller_of};

/// day of the week (0 Monday), hour, minutes, kind, subject, outcome once done (empty: left overdue)
type DemoActivity = (i64, i64, i32, &'static str, &'static str, &'static str);

const WEEK: &[DemoActivity] = &[
    (0, 8, 30, "call", "Gọi hỏi tiến độ thanh toán", ""),
    (0, 9, 90, "visit", "Thăm khách hàng, giới thiệu thiết bị mới", "reached"),
    (0, 14, 15, "call", "Gọi nhắc báo giá đã gửi", "follow_up"),
    (1, 15, 60, "meeting", "Họp với chủ đầu tư về tiến độ lắp đặt", "reached"),
    (2, 9, 120, "visit", "Khảo sát phòng thí nghiệm", "ordered"),
    (3, 8, 20, "call", "Gọi chăm sóc sau bán hàng", "reached"),
    (3, 14, 30, "email", "Gửi catalogue và bảng giá mới", "reached"),
    (4, 9, 90, "visit", "Bàn giao thiết bị và hướng dẫn sử dụng", "reached"),
    (4, 16, 15, "call", "Gọi mời dự hội thảo sản phẩm", "no_answer"),
];

/// A position near each office, in micro-degrees.
fn office_position(office: WireOffice) -> ActivityPosition {
    match office {
        WireOffice::Hcm => ActivityPosition { latitude_e6: 10_776_889, longitude_e6: 106_700_806 },
        WireOffice::Dl => ActivityPosition { latitude_e6: 11_940_419, longitude_e6: 108_458_313 },
        _ => ActivityPosition { latitude_e6: 21_028_511, longitude_e6: 105_804_817 },
    }
}

/// Plans the week for each office's salesperson with that office's customers, and completes
/// what is already past except the one call left overdue.
pub async fn load(services: &Services, customers: &[Customer]) -> anyhow::Result<()> {
    let client = ActivitiesClient::new(services.sales.clone());
    let monday = week_start(local_date(now_micros()));
    for office in [WireOffice::Hn, WireOffice::Hcm, WireOffice::Dl] {
        let seller = seller_of(office);
        let theirs: Vec<&Customer> = customers.iter().filter(|c| c.office == office).collect();
        if theirs.is_empty() {
            continue;
        }
        for (index, (day, hour, minutes, kind, subject, outcome)) in WEEK.iter().enumerate() {
            let customer = theirs[index % theirs.len()];
            let planned_at = start_of_local_day(add_days(monday, *day)) + hour * 3_600_000_000;
            let message = CreateActivityRequest {
                kind: (*kind).into(),
                subject: (*subject).into(),
                customer_id: customer.id,
                planned_at: Some(to_timestamp(planned_at)),
                duration_minutes: *minutes,
                ..Default::default()
            };
            let key = format!("demo-activity-{monday}-{}-{index}", seller.username);
            let planned = services
                .call(&client, &seller, Some(&key), message, |mut c, r| async move { c.create_activity(r).await })
                .await?;
            let ends = planned_at + i64::from(*minutes) * 60_000_000;
            if outcome.is_empty() || ends > now_micros() || planned.status != "planned" {
                continue;
            }
            let visit = *kind == "visit";
            let done = CompleteActivityRequest {
                id: planned.id,
                outcome: (*outcome).into(),
                notes: "Đã thực hiện theo kế hoạch".into(),
                checked_in_at: visit.then(|| to_timestamp(planned_at + 5 * 60_000_000)),
                position: visit.then(|| office_position(office)),
                ..Default::default()
            };
            let key = format!("demo-activity-done-{}", planned.id);
            services
                .call(&client, &seller, Some(&key), done, |mut c, r| async move { c.complete_activity(r).await })
                .await?;
        }
    }
    Ok(())
}
