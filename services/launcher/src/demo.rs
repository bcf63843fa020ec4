//! Demo data, created through the services like any other records (so their feeds carry it),
//! each under a fixed idempotency key: loading twice adds nothing.

use std::time::Duration;

use anyhow::Context;
use atq_platform::{Caller, InternalKey, Office, Peers, Role, grpc_client};
use atq_proto::common::v1::Office as WireOffice;
use atq_proto::sales::v1::customers_client::CustomersClient;
use atq_proto::sales::v1::{CreateCustomerRequest, CustomerGroup};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

struct DemoCustomer {
    name: &'static str,
    group: CustomerGroup,
    phone: &'static str,
    email: &'static str,
    address: &'static str,
    office: WireOffice,
    tax_code: &'static str,
}

use CustomerGroup::{Dealer, Individual, Project};
use WireOffice::{Dl, Hcm, Hn};

const CUSTOMERS: &[DemoCustomer] = &[
    DemoCustomer {
        name: "Trường THPT Chu Văn An",
        group: Project,
        phone: "02438234567",
        email: "thietbi@chuvanan.edu.vn",
        address: "10 Thụy Khuê, Tây Hồ, Hà Nội",
        office: Hn,
        tax_code: "0101245789",
    },
    DemoCustomer {
        name: "Công ty TNHH Thiết bị Khoa học Minh Phát",
        group: Dealer,
        phone: "0912345678",
        email: "kinhdoanh@minhphat.vn",
        address: "25 Láng Hạ, Đống Đa, Hà Nội",
        office: Hn,
        tax_code: "0105678123",
    },
    DemoCustomer {
        name: "Nguyễn Văn Đức",
        group: Individual,
        phone: "0987654321",
        email: "duc.nguyen@gmail.com",
        address: "18 Nguyễn Trãi, Thanh Xuân, Hà Nội",
        office: Hn,
        tax_code: "",
    },
    DemoCustomer {
        name: "Công ty CP Xây dựng Coteccons",
        group: Project,
        phone: "02835142255",
        email: "duan@coteccons.vn",
        address: "236/6 Điện Biên Phủ, Bình Thạnh, TP. Hồ Chí Minh",
        office: Hcm,
        tax_code: "0303443233",
    },
    DemoCustomer {
        name: "Cửa hàng Thiết bị Giáo dục Sài Gòn",
        group: Dealer,
        phone: "0903123456",
        email: "lienhe@tbgdsaigon.vn",
        address: "120 Lý Thường Kiệt, Quận 10, TP. Hồ Chí Minh",
        office: Hcm,
        tax_code: "0312345678",
    },
    DemoCustomer {
        name: "Trần Thị Bích Ngọc",
        group: Individual,
        phone: "+84938765432",
        email: "",
        address: "45 Võ Văn Tần, Quận 3, TP. Hồ Chí Minh",
        office: Hcm,
        tax_code: "",
    },
    DemoCustomer {
        name: "Viện Nghiên cứu Hạt nhân",
        group: Project,
        phone: "02633822191",
        email: "vattu@dnri.vn",
        address: "01 Nguyên Tử Lực, Đà Lạt, Lâm Đồng",
        office: Dl,
        tax_code: "5800123456",
    },
    DemoCustomer {
        name: "Cửa hàng Điện tử Lâm Viên",
        group: Dealer,
        phone: "0918222333",
        email: "lamvien.dt@gmail.com",
        address: "8 Phan Đình Phùng, Đà Lạt, Lâm Đồng",
        office: Dl,
        tax_code: "5801234567-001",
    },
    DemoCustomer {
        name: "Lê Hoàng Phúc",
        group: Individual,
        phone: "0977111222",
        email: "",
        address: "3 Hùng Vương, Đà Lạt, Lâm Đồng",
        office: Dl,
        tax_code: "",
    },
];

/// The import-export department's officer, who keeps the catalog, rates and plans.
pub(crate) fn import_officer() -> Caller {
    Caller { username: "import".into(), role: Role::ImportOfficer, office: Some(Office::HaNoi) }
}

fn seller_of(office: WireOffice) -> Caller {
    let (username, office) = match office {
        WireOffice::Hcm => ("sales.hcm", Office::HoChiMinh),
        WireOffice::Dl => ("sales.dl", Office::DaLat),
        _ => ("sales.hn", Office::HaNoi),
    };
    Caller { username: username.into(), role: Role::SalesRep, office: Some(office) }
}

/// Waits for each service to be serving, then creates the demo catalog and customers once.
pub async fn load(peers: &Peers, key: &InternalKey) -> anyhow::Result<()> {
    let catalog = grpc_client::channel(&peers.import_planning)?;
    wait_until_serving(HealthClient::new(catalog.clone())).await?;
    crate::demo_catalog::load(catalog.clone(), key).await?;
    crate::demo_costing::load(catalog.clone(), key).await?;
    crate::demo_planning::load(catalog, key).await?;
    let channel = grpc_client::channel(&peers.sales)?;
    wait_until_serving(HealthClient::new(channel.clone())).await?;
    let client = CustomersClient::new(channel);
    for (index, customer) in CUSTOMERS.iter().enumerate() {
        let message = CreateCustomerRequest {
            name: customer.name.into(),
            group: customer.group as i32,
            phone: customer.phone.into(),
            email: customer.email.into(),
            address: customer.address.into(),
            office: customer.office as i32,
            tax_code: customer.tax_code.into(),
            assigned_to: String::new(),
        };
        let caller = seller_of(customer.office);
        let idempotency_key = format!("demo-customer-{}", index + 1);
        grpc_client::with_retry(|| {
            let mut client = client.clone();
            let request = grpc_client::request(message.clone(), key, &caller, Some(&idempotency_key));
            async move { client.create_customer(request).await }
        })
        .await
        .with_context(|| format!("demo customer {}", customer.name))?;
    }
    tracing::info!(customers = CUSTOMERS.len(), "demo data loaded");
    Ok(())
}

async fn wait_until_serving(mut health: HealthClient<tonic::transport::Channel>) -> anyhow::Result<()> {
    for _ in 0..300 {
        let mut request = tonic::Request::new(HealthCheckRequest { service: String::new() });
        request.set_timeout(Duration::from_secs(1));
        if let Ok(response) = health.check(request).await
            && response.get_ref().status == ServingStatus::Serving as i32
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("a service did not become ready within 30 seconds")
}
