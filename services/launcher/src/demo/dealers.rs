//! Dealers: the Hà Nội dealer Minh Phát, whose dealer-opening request was evaluated and approved
//! at tier 1, and a new Hồ Chí Minh City shop whose request waits for evaluation. The figures are the
//! two years before the current one, so the keys name the year: loading twice in a year adds
//! nothing.

use anyhow::Context;
use atq_platform::Caller;
use atq_platform::business_time::{local_date, now_micros};
use atq_proto::common::v1::Office as WireOffice;
use atq_proto::sales::v1::contracts_client::ContractsClient;
use atq_proto::sales::v1::dealers_client::DealersClient;
use atq_proto::sales::v1::discussion_client::DiscussionClient;
use atq_proto::sales::v1::{
    ApproveDealerApplicationRequest, AttachFileRequest, AttachRecordFileRequest, CreateDealerApplicationRequest,
    DealerApplication, DealerApplicationActionRequest, GetContractRequest, Prospect, UpdateContractRequest,
    YearFigures,
};
use chrono::Datelike;

use super::customers::Customer;
use super::{Services, director, seller_of};

/// name, phone, address, region, (lab sales of the earlier year, of the later year), big-brand
/// share, staff, shops of the later year, proposed tier.
type DemoRequest = (&'static str, &'static str, &'static str, &'static str, (i64, i64), i64, i64, i64, &'static str);

/// Evaluated with the seeded rules: 7 bn a year on average with big brands at 40% is tier 1.
const APPROVED: DemoRequest = (
    "Công ty TNHH Thiết bị Khoa học Minh Phát",
    "0243 856 2211",
    "45 Phố Huế, Hai Bà Trưng, Hà Nội",
    "Miền Bắc",
    (6_000_000_000, 8_000_000_000),
    4000,
    12,
    2,
    "tier1",
);

const PENDING: DemoRequest = (
    "Cửa hàng Thiết bị Thí nghiệm Phương Nam",
    "0283 930 4455",
    "120 Nguyễn Trãi, Quận 5, TP. Hồ Chí Minh",
    "Miền Nam",
    (1_500_000_000, 2_100_000_000),
    2500,
    5,
    1,
    "tier2",
);

/// The request for `customer_id`, or for a new company (0) with the demo's data.
fn request(demo: &DemoRequest, year: i32, office: WireOffice, customer_id: i64) -> CreateDealerApplicationRequest {
    let (name, phone, address, region, (earlier, later), big, staff, shops, tier) = *demo;
    let figures = |year: i32, lab_sales: i64, big: i64, staff: i64, shops: i64| YearFigures {
        year,
        revenue: lab_sales / 10 * 15,
        lab_sales,
        big_brand_share_bp: big,
        small_brand_share_bp: 10_000 - big,
        staff,
        shops,
    };
    let prospect = Prospect {
        name: name.into(),
        phone: phone.into(),
        email: String::new(),
        address: address.into(),
        tax_code: String::new(),
    };
    CreateDealerApplicationRequest {
        customer_id,
        prospect: (customer_id == 0).then_some(prospect),
        office: office as i32,
        region: region.into(),
        years: vec![
            figures(year - 2, earlier, big - 500, staff - 2, shops),
            figures(year - 1, later, big, staff, shops),
        ],
        proposed_tier: tier.into(),
        note: "Đã thăm cửa hàng và kho; khách bán chủ yếu cho trường học và phòng thí nghiệm.".into(),
    }
}

pub async fn load(services: &Services, customers: &[Customer]) -> anyhow::Result<()> {
    let year = local_date(now_micros()).year();
    let minh_phat = customers
        .iter()
        .find(|customer| customer.name == APPROVED.0)
        .ok_or_else(|| anyhow::anyhow!("the demo dealer {} is missing", APPROVED.0))?;
    let client = DealersClient::new(services.sales.clone());
    let hanoi = seller_of(WireOffice::Hn);
    let message = request(&APPROVED, year, WireOffice::Hn, minh_phat.id);
    let key = format!("demo-dealer-{year}-minh-phat");
    let approved = services
        .call(&client, &hanoi, Some(&key), message, |mut c, r| async move { c.create_dealer_application(r).await })
        .await?;
    let step = DealerApplicationActionRequest { id: approved.id, expected_version: 0 };
    let submit = format!("{key}-submit");
    services
        .call(&client, &hanoi, Some(&submit), step, |mut c, r| async move { c.submit_dealer_application(r).await })
        .await?;
    let evaluate = format!("{key}-evaluate");
    services
        .call(&client, &hanoi, Some(&evaluate), step, |mut c, r| async move { c.evaluate_dealer_application(r).await })
        .await?;
    let approval = ApproveDealerApplicationRequest {
        id: approved.id,
        expected_version: 0,
        tier: "tier1".into(),
        reason: String::new(),
        contract_id: 0,
    };
    let decided = services
        .call(&client, &director(), Some(&format!("{key}-approve")), approval, |mut c, r| async move {
            c.approve_dealer_application(r).await
        })
        .await?;
    dealer_papers(services, &hanoi, &decided).await?;

    let saigon = seller_of(WireOffice::Hcm);
    let message = request(&PENDING, year, WireOffice::Hcm, 0);
    let key = format!("demo-dealer-{year}-phuong-nam");
    let pending = services
        .call(&client, &saigon, Some(&key), message, |mut c, r| async move { c.create_dealer_application(r).await })
        .await?;
    let step = DealerApplicationActionRequest { id: pending.id, expected_version: 0 };
    let submit = format!("{key}-submit");
    services
        .call(&client, &saigon, Some(&submit), step, |mut c, r| async move { c.submit_dealer_application(r).await })
        .await?;
    Ok(())
}

/// A small PDF standing for a scanned paper.
fn scanned(text: &str) -> Vec<u8> {
    format!(
        "%PDF-1.4\n% {text}\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n\
             trailer<</Root 1 0 R>>\n%%EOF\n"
    )
    .into_bytes()
}

/// The approved dealer's papers: its business licence kept with the request, and the dealer
/// contract the approval drafted, signed with its signed copy. Each step only from the state it
/// is in, so a second load changes nothing.
async fn dealer_papers(services: &Services, seller: &Caller, decided: &DealerApplication) -> anyhow::Result<()> {
    let licence = AttachRecordFileRequest {
        subject_kind: "dealer_application".into(),
        subject_id: decided.id,
        file_name: "Giấy chứng nhận đăng ký doanh nghiệp.pdf".into(),
        content_type: "application/pdf".into(),
        content: scanned("Giay chung nhan dang ky doanh nghiep - Minh Phat"),
    };
    let discussion = DiscussionClient::new(services.sales.clone());
    services
        .call(&discussion, seller, None, licence, |mut c, r| async move { c.attach_record_file(r).await })
        .await
        .context("the demo dealer's business licence")?;
    let contracts = ContractsClient::new(services.sales.clone());
    let get = GetContractRequest { id: decided.contract_id };
    let contract =
        services.call(&contracts, seller, None, get, |mut c, r| async move { c.get_contract(r).await }).await?;
    if contract.status != "draft" {
        return Ok(());
    }
    let file = AttachFileRequest {
        contract_id: contract.id,
        file_name: format!("{}-ban-ky.pdf", contract.number),
        content_type: "application/pdf".into(),
        content: scanned(&format!("Hop dong dai ly da ky {}", contract.number)),
    };
    services
        .call(&contracts, seller, None, file, |mut c, r| async move { c.attach_file(r).await })
        .await
        .context("the demo dealer contract's signed copy")?;
    let sign = UpdateContractRequest { id: contract.id, status: Some("signed".into()), ..Default::default() };
    services
        .call(&contracts, seller, None, sign, |mut c, r| async move { c.update_contract(r).await })
        .await
        .context("signing the demo dealer contract")?;
    Ok(())
}
