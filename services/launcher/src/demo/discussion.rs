//! A demo discussion: a short thread on the first demo opportunity in which the Hà Nội rep asks
//! manager.hn for a discount (so the manager has a notification waiting) and the manager answers,
//! one comment on a dealer's record and the dealer's company profile kept with it as a small PDF.
//! Every comment and file goes under a fixed key, so a second load adds nothing.

use anyhow::Context;
use atq_platform::{Office, Role};
use atq_proto::common::v1::{Office as WireOffice, PageRequest};
use atq_proto::sales::v1::discussion_client::DiscussionClient;
use atq_proto::sales::v1::opportunities_client::OpportunitiesClient;
use atq_proto::sales::v1::{AddCommentRequest, AttachRecordFileRequest, ListOpportunitiesRequest, Mention};

use super::customers::Customer;
use super::{Services, employee, seller_of};

/// The opportunity the thread is on: the first demo opportunity, of the first demo customer.
const OPPORTUNITY_TITLE: &str = "Phòng thí nghiệm Hóa học năm học 2027-2028";
/// The dealer whose record gets a comment and a file (index into the demo customers).
const DEALER: usize = 1;

/// (key, author, body, mentions manager.hn)
const THREAD: &[(&str, &str, &str, bool)] = &[
    ("demo-comment-1", "sales.hn", "Trường muốn lắp xong trước năm học mới; đã gửi catalogue và báo giá sơ bộ.", false),
    ("demo-comment-2", "sales.hn", "@manager.hn nhờ anh duyệt chiết khấu 7% để chốt trong tháng này.", true),
    ("demo-comment-3", "manager.hn", "Đồng ý 7%, nhớ ghi bảo hành 24 tháng và lắp đặt miễn phí vào báo giá.", false),
];

pub async fn load(services: &Services, customers: &[Customer]) -> anyhow::Result<()> {
    let school = customers.first().context("the first demo customer")?;
    let opportunity_id = find_opportunity(services, school).await?;
    for (key, author, body, mentions_manager) in THREAD {
        let mentions = if *mentions_manager {
            vec![Mention { username: "manager.hn".into(), office: WireOffice::Hn as i32 }]
        } else {
            Vec::new()
        };
        let message = AddCommentRequest {
            subject_kind: "opportunity".into(),
            subject_id: opportunity_id,
            body: (*body).into(),
            mentions,
        };
        add_comment(services, &hanoi_staff(author), key, message).await?;
    }
    let dealer = customers.get(DEALER).context("the demo dealer")?;
    let seller = seller_of(dealer.office);
    let message = AddCommentRequest {
        subject_kind: "customer".into(),
        subject_id: dealer.id,
        body: "Đại lý xin bảng giá quý II trước ngày 15; đã gửi hồ sơ năng lực để cập nhật.".into(),
        mentions: Vec::new(),
    };
    add_comment(services, &seller, "demo-comment-4", message).await?;
    let file = AttachRecordFileRequest {
        subject_kind: "customer".into(),
        subject_id: dealer.id,
        file_name: "Hồ sơ năng lực.pdf".into(),
        content_type: "application/pdf".into(),
        content: one_page_pdf("Ho so nang luc - Minh Phat"),
    };
    let client = DiscussionClient::new(services.sales.clone());
    services
        .call(
            &client,
            &seller,
            Some("demo-record-file-1"),
            file,
            |mut c, r| async move { c.attach_record_file(r).await },
        )
        .await
        .context("the demo dealer's file")?;
    Ok(())
}

fn hanoi_staff(username: &str) -> atq_platform::Caller {
    match username {
        "manager.hn" => employee("manager.hn", Role::SalesManager, Some(Office::HaNoi)),
        _ => seller_of(WireOffice::Hn),
    }
}

async fn find_opportunity(services: &Services, school: &Customer) -> anyhow::Result<i64> {
    let client = OpportunitiesClient::new(services.sales.clone());
    let message = ListOpportunitiesRequest {
        q: OPPORTUNITY_TITLE.into(),
        customer_id: school.id,
        page: Some(PageRequest { limit: 10, cursor: String::new() }),
        ..Default::default()
    };
    let seller = seller_of(school.office);
    let found =
        services.call(&client, &seller, None, message, |mut c, r| async move { c.list_opportunities(r).await }).await?;
    found.items.iter().find(|o| o.title == OPPORTUNITY_TITLE).map(|o| o.id).context("the demo opportunity")
}

async fn add_comment(
    services: &Services,
    author: &atq_platform::Caller,
    key: &str,
    message: AddCommentRequest,
) -> anyhow::Result<()> {
    let client = DiscussionClient::new(services.sales.clone());
    services
        .call(&client, author, Some(key), message, |mut c, r| async move { c.add_comment(r).await })
        .await
        .with_context(|| format!("demo comment {key}"))?;
    Ok(())
}

/// A valid one-page PDF showing `text` (ASCII) in a standard font, with its cross-reference
/// table at the offsets the objects really start at.
fn one_page_pdf(text: &str) -> Vec<u8> {
    let stream = format!("BT /F1 18 Tf 72 760 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (index, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.push_str(&format!("{} 0 obj\n{object}\nendobj\n", index + 1));
    }
    let xref_at = pdf.len();
    pdf.push_str(&format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1));
    for offset in offsets {
        pdf.push_str(&format!("{offset:010} 00000 n \n"));
    }
    pdf.push_str(&format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n", objects.len() + 1));
    pdf.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pdf_points_at_its_objects() {
        let pdf = String::from_utf8(one_page_pdf("Ho so")).unwrap();
        assert!(pdf.starts_with("%PDF-1.4\n") && pdf.ends_with("%%EOF\n"));
        let xref_at: usize = pdf.lines().rev().nth(1).unwrap().parse().unwrap();
        assert!(pdf[xref_at..].starts_with("xref\n0 6\n"));
        let first: usize = pdf[xref_at..].lines().nth(3).unwrap()[..10].parse().unwrap();
        assert!(pdf[first..].starts_with("1 0 obj\n<< /Type /Catalog"));
    }
}
