//! Demo contacts, project parties and leads: the people behind some demo customers, the
//! investor and contractor of one school project, and leads in every state but converted (a
//! conversion would add a customer to the sixty the demo promises).

use anyhow::Context;
use atq_proto::common::v1::Office as WireOffice;
use atq_proto::sales::v1::contacts_client::ContactsClient;
use atq_proto::sales::v1::leads_client::LeadsClient;
use atq_proto::sales::v1::{
    AddProjectPartyRequest, Contact, CreateContactRequest, CreateLeadRequest, CustomerGroup, DisqualifyLeadRequest,
    UpdateLeadRequest,
};

use super::customers::Customer;
use super::{Services, seller_of};

/// (customer name, contact name, position, phone, email, birthday, primary)
type DemoContact = (&'static str, &'static str, &'static str, &'static str, &'static str, &'static str, bool);

const CONTACTS: &[DemoContact] = &[
    (
        "Trường THPT Chu Văn An",
        "Đặng Minh Khôi",
        "Phó Hiệu trưởng",
        "0913456789",
        "khoi.dm@chuvanan.edu.vn",
        "1975-09-02",
        true,
    ),
    (
        "Công ty TNHH Thiết bị Khoa học Minh Phát",
        "Vũ Thị Lan",
        "Giám đốc",
        "0912345679",
        "lan.vu@minhphat.vn",
        "1980-04-12",
        true,
    ),
    (
        "Công ty TNHH Thiết bị Khoa học Minh Phát",
        "Ngô Quang Huy",
        "Kỹ sư lắp đặt",
        "0977111222",
        "huy.ngo@minhphat.vn",
        "",
        false,
    ),
    (
        "Công ty CP Xây dựng Coteccons",
        "Trịnh Văn Sơn",
        "Chỉ huy trưởng công trường",
        "0908222333",
        "son.tv@coteccons.vn",
        "",
        true,
    ),
    (
        "Công ty CP Xây dựng Coteccons",
        "Mai Thị Thảo",
        "Phòng mua hàng",
        "0908444555",
        "thao.mt@coteccons.vn",
        "1990-12-20",
        false,
    ),
    ("Cửa hàng Thiết bị Giáo dục Sài Gòn", "Huỳnh Tấn Phát", "Chủ cửa hàng", "0903123457", "", "", true),
    (
        "Viện Nghiên cứu Hạt nhân",
        "Đoàn Thị Hạnh",
        "Trưởng phòng thí nghiệm",
        "02633822191",
        "hanh.dt@dnri.vn",
        "1978-06-30",
        true,
    ),
];

/// (key, name, company, contact, group, source, office, phone, address, next status, reason)
type DemoLead = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    CustomerGroup,
    &'static str,
    WireOffice,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const LEADS: &[DemoLead] = &[
    (
        "1",
        "Anh Tùng (giới thiệu)",
        "Trường Đại học Xây dựng",
        "Phan Thanh Tùng",
        CustomerGroup::Project,
        "referral",
        WireOffice::Hn,
        "0915222333",
        "55 Giải Phóng, Hai Bà Trưng, Hà Nội",
        "new",
        "",
    ),
    (
        "2",
        "Chị Yến (hội chợ)",
        "Công ty TNHH Kiểm định Bắc Việt",
        "Lý Hải Yến",
        CustomerGroup::Dealer,
        "exhibition",
        WireOffice::Hn,
        "0936777888",
        "12 Trần Duy Hưng, Cầu Giấy, Hà Nội",
        "qualified",
        "",
    ),
    (
        "3",
        "Anh Khoa (website)",
        "",
        "",
        CustomerGroup::Individual,
        "website",
        WireOffice::Hcm,
        "0909888777",
        "",
        "contacted",
        "",
    ),
    (
        "4",
        "Phòng thí nghiệm Hoàng Gia",
        "Công ty CP Hoàng Gia",
        "Tôn Nữ Mai",
        CustomerGroup::Dealer,
        "cold_call",
        WireOffice::Hcm,
        "0283999111",
        "",
        "disqualified",
        "Đã có nhà cung cấp độc quyền",
    ),
    (
        "5",
        "Nhà vườn Thái Phiên",
        "Hợp tác xã Thái Phiên",
        "Châu Văn Lộc",
        CustomerGroup::Dealer,
        "visit",
        WireOffice::Dl,
        "0263355466",
        "Thái Phiên, Phường 12, Đà Lạt",
        "new",
        "",
    ),
];

fn customer_named<'a>(customers: &'a [Customer], name: &str) -> anyhow::Result<&'a Customer> {
    customers.iter().find(|c| c.name == name).with_context(|| format!("demo customer {name}"))
}

/// Creates whatever of the demo contacts, parties and leads is missing.
pub async fn load(services: &Services, customers: &[Customer]) -> anyhow::Result<()> {
    let mut contacts = Vec::new();
    for (index, contact) in CONTACTS.iter().enumerate() {
        contacts.push(add_contact(services, customers, index, contact).await?);
    }
    add_school_parties(services, customers, &contacts).await?;
    for lead in LEADS {
        add_lead(services, lead).await.with_context(|| format!("demo lead {}", lead.1))?;
    }
    Ok(())
}

async fn add_contact(
    services: &Services,
    customers: &[Customer],
    index: usize,
    (customer, name, position, phone, email, birthday, primary): &DemoContact,
) -> anyhow::Result<Contact> {
    let client = ContactsClient::new(services.sales.clone());
    let customer = customer_named(customers, customer)?;
    let message = CreateContactRequest {
        customer_id: customer.id,
        name: (*name).into(),
        position: (*position).into(),
        phone: (*phone).into(),
        email: (*email).into(),
        birthday: (*birthday).into(),
        notes: String::new(),
        is_primary: *primary,
    };
    let key = format!("demo-contact-{}", index + 1);
    let seller = seller_of(customer.office);
    let created =
        services.call(&client, &seller, Some(&key), message, |mut c, r| async move { c.create_contact(r).await });
    created.await.with_context(|| format!("demo contact {name}"))
}

/// The school's vice-principal decides for the investor; the dealer installs as contractor.
async fn add_school_parties(services: &Services, customers: &[Customer], contacts: &[Contact]) -> anyhow::Result<()> {
    let client = ContactsClient::new(services.sales.clone());
    let school = customer_named(customers, "Trường THPT Chu Văn An")?;
    let dealer = customer_named(customers, "Công ty TNHH Thiết bị Khoa học Minh Phát")?;
    let vice_principal = contacts.first().context("the school's contact")?;
    let parties = [
        ("investor", 0, vice_principal.id, "decision_maker", "supporter", "Duyệt dự toán phòng thí nghiệm"),
        ("contractor", dealer.id, 0, "influencer", "neutral", "Lắp đặt thiết bị"),
    ];
    let seller = seller_of(school.office);
    for (index, (role, party_customer_id, contact_id, influence, stance, note)) in parties.into_iter().enumerate() {
        let message = AddProjectPartyRequest {
            project_customer_id: school.id,
            role: role.into(),
            party_customer_id,
            contact_id,
            influence: influence.into(),
            stance: stance.into(),
            note: note.into(),
        };
        let key = format!("demo-party-{}", index + 1);
        services
            .call(&client, &seller, Some(&key), message, |mut c, r| async move { c.add_project_party(r).await })
            .await
            .with_context(|| format!("demo party {role}"))?;
    }
    Ok(())
}

async fn add_lead(services: &Services, lead: &DemoLead) -> anyhow::Result<()> {
    let (key, name, company, contact_name, group, source, office, phone, address, status, reason) = *lead;
    let client = LeadsClient::new(services.sales.clone());
    let seller = seller_of(office);
    let message = CreateLeadRequest {
        name: name.into(),
        company: company.into(),
        contact_name: contact_name.into(),
        group: group as i32,
        source: source.into(),
        office: office as i32,
        phone: phone.into(),
        address: address.into(),
        ..Default::default()
    };
    let create_key = format!("demo-lead-{key}");
    let created = services
        .call(&client, &seller, Some(&create_key), message, |mut c, r| async move { c.create_lead(r).await })
        .await?;
    let step_key = format!("demo-lead-{key}-{status}");
    match status {
        "new" => {}
        "disqualified" => {
            let message = DisqualifyLeadRequest { id: created.id, expected_version: 1, reason: reason.into() };
            services
                .call(&client, &seller, Some(&step_key), message, |mut c, r| async move { c.disqualify_lead(r).await })
                .await?;
        }
        _ => {
            let message = UpdateLeadRequest {
                id: created.id,
                expected_version: 1,
                status: Some(status.into()),
                ..Default::default()
            };
            services
                .call(&client, &seller, Some(&step_key), message, |mut c, r| async move { c.update_lead(r).await })
                .await?;
        }
    }
    Ok(())
}
