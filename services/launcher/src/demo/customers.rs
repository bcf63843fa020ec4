//! Demo customers: nine written out and fifty-one more made from fixed lists of Vietnamese
//! names, streets and companies (no randomness, so every load asks for the same customers),
//! twenty in each office across the three groups. Each is entered by the office's salesperson
//! under a fixed idempotency key.

use anyhow::Context;
use atq_platform::{InternalKey, grpc_client};
use atq_proto::common::v1::Office as WireOffice;
use atq_proto::sales::v1::customers_client::CustomersClient;
use atq_proto::sales::v1::{CreateCustomerRequest, CustomerGroup};
use tonic::transport::Channel;

use super::seller_of;

/// A customer as entered; the generated ones own their text.
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

/// A customer the demo made, as later steps need it.
#[derive(Clone, Debug)]
pub struct Customer {
    pub id: i64,
    pub name: String,
    pub office: WireOffice,
}

const SURNAMES: &[(&str, &str)] = &[
    ("Nguyễn", "nguyen"),
    ("Trần", "tran"),
    ("Lê", "le"),
    ("Phạm", "pham"),
    ("Hoàng", "hoang"),
    ("Huỳnh", "huynh"),
    ("Phan", "phan"),
    ("Vũ", "vu"),
    ("Võ", "vo"),
    ("Đặng", "dang"),
    ("Bùi", "bui"),
    ("Đỗ", "do"),
    ("Hồ", "ho"),
    ("Ngô", "ngo"),
    ("Dương", "duong"),
    ("Lý", "ly"),
    ("Trương", "truong"),
];
const MIDDLE_NAMES: &[&str] = &["Văn", "Thị", "Minh", "Quốc", "Thu", "Đức", "Ngọc", "Thanh", "Hoài", "Gia", "Bảo"];
const GIVEN_NAMES: &[(&str, &str)] = &[
    ("An", "an"),
    ("Bình", "binh"),
    ("Cường", "cuong"),
    ("Dũng", "dung"),
    ("Giang", "giang"),
    ("Hà", "ha"),
    ("Hải", "hai"),
    ("Hạnh", "hanh"),
    ("Hiếu", "hieu"),
    ("Hùng", "hung"),
    ("Khánh", "khanh"),
    ("Lan", "lan"),
    ("Linh", "linh"),
    ("Long", "long"),
    ("Mai", "mai"),
    ("Nam", "nam"),
    ("Phương", "phuong"),
    ("Quân", "quan"),
];

/// Per office: (street, district or town) and the city or province written after them.
const STREETS_HN: &[(&str, &str)] = &[
    ("Kim Mã", "Ba Đình"),
    ("Trần Duy Hưng", "Cầu Giấy"),
    ("Giải Phóng", "Hai Bà Trưng"),
    ("Nguyễn Văn Cừ", "Long Biên"),
    ("Hoàng Quốc Việt", "Cầu Giấy"),
    ("Lê Văn Lương", "Thanh Xuân"),
    ("Tây Sơn", "Đống Đa"),
    ("Phạm Văn Đồng", "Bắc Từ Liêm"),
];
const STREETS_HCM: &[(&str, &str)] = &[
    ("Nguyễn Thị Minh Khai", "Quận 1"),
    ("Cách Mạng Tháng Tám", "Quận 3"),
    ("Nguyễn Văn Linh", "Quận 7"),
    ("Phan Văn Trị", "Gò Vấp"),
    ("Cộng Hòa", "Tân Bình"),
    ("Võ Văn Ngân", "Thủ Đức"),
    ("Lê Văn Sỹ", "Phú Nhuận"),
    ("Âu Cơ", "Tân Phú"),
];
const STREETS_DL: &[(&str, &str)] = &[
    ("Trần Phú", "Đà Lạt"),
    ("Ba Tháng Hai", "Đà Lạt"),
    ("Phù Đổng Thiên Vương", "Đà Lạt"),
    ("Nguyễn Văn Cừ", "Bảo Lộc"),
    ("Thống Nhất", "Đức Trọng"),
    ("Hai Bà Trưng", "Di Linh"),
    ("Hùng Vương", "Bảo Lộc"),
    ("Yersin", "Đà Lạt"),
];

/// Per office: six dealers then five project customers, each with the name its e-mail domain takes.
const COMPANIES_HN: &[(&str, &str)] = &[
    ("Công ty TNHH Thiết bị Giáo dục Hồng Hà", "tbgdhongha"),
    ("Công ty CP Thiết bị Khoa học An Khánh", "ankhanhsci"),
    ("Công ty TNHH Kỹ thuật Đo lường Việt Tiến", "vietiendoluong"),
    ("Công ty TNHH Thiết bị Thí nghiệm Bảo Anh", "baoanhlab"),
    ("Công ty TNHH Vật tư Khoa học Đại Nam", "dainamsci"),
    ("Cửa hàng Thiết bị Điện tử Phố Huế", "dientuphohue"),
    ("Trường Đại học Kỹ thuật Công nghiệp Hà Nội", "dhktcn-hn"),
    ("Trường THPT Chuyên Nguyễn Huệ", "chuyennguyenhue"),
    ("Viện Hóa học Ứng dụng Miền Bắc", "vienhoahoc-mb"),
    ("Trung tâm Quan trắc Môi trường Hà Nội", "quantrac-hn"),
    ("Công ty CP Xây dựng Trường học Thăng Long", "xdthanglong"),
];
const COMPANIES_HCM: &[(&str, &str)] = &[
    ("Công ty TNHH Thiết bị Khoa học Phương Nam", "phuongnamsci"),
    ("Công ty CP Thiết bị Giáo dục Gia Định", "tbgdgiadinh"),
    ("Công ty TNHH Dụng cụ Thí nghiệm Tân Tiến", "tantienlab"),
    ("Công ty TNHH Kỹ thuật Công nghiệp Sài Gòn Xanh", "saigonxanh"),
    ("Công ty TNHH Thương mại Thiết bị Bến Thành", "tbbenthanh"),
    ("Cửa hàng Thiết bị Đo lường Chợ Lớn", "doluongcholon"),
    ("Trường Đại học Công nghệ Sài Gòn (dự án phòng thí nghiệm)", "dhcn-sg"),
    ("Trường THPT Chuyên Lê Hồng Phong", "chuyenlhp"),
    ("Công ty CP Dầu khí Phương Nam (phòng thí nghiệm)", "daukhipn"),
    ("Trung tâm Kiểm nghiệm Thuốc TP. Hồ Chí Minh", "kiemnghiem-hcm"),
    ("Công ty CP Xây dựng Công trình Giáo dục Nam Sài Gòn", "xdnamsg"),
];
const COMPANIES_DL: &[(&str, &str)] = &[
    ("Công ty TNHH Thiết bị Khoa học Lâm Đồng", "tbkhlamdong"),
    ("Công ty TNHH Vật tư Nông nghiệp Cao Nguyên", "caonguyenagri"),
    ("Cửa hàng Thiết bị Giáo dục Bảo Lộc", "tbgdbaoloc"),
    ("Công ty TNHH Điện tử Đức Trọng", "dientuductrong"),
    ("Công ty CP Thiết bị Thí nghiệm Langbiang", "langbianglab"),
    ("Cửa hàng Dụng cụ Khoa học Hòa Bình", "dungcuhoabinh"),
    ("Trường Đại học Đà Lạt", "dlu-duan"),
    ("Trường THPT Chuyên Thăng Long Đà Lạt", "chuyenthanglong"),
    ("Viện Sinh học Tây Nguyên", "sinhhoctaynguyen"),
    ("Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Lâm Đồng", "tdc-lamdong"),
    ("Công ty CP Đầu tư Xây dựng Trường học Lâm Viên", "xdlamvien"),
];

const MOBILE_PREFIXES: &[&str] = &["090", "091", "093", "094", "096", "097", "098", "032", "035", "038", "083", "088"];

/// Eleven customers of each office after the first nine: six individual, six dealer, five project.
const GENERATED_PER_OFFICE: usize = 17;

/// A number spread over `modulus` from an index, so phones and tax codes look unrelated.
fn spread(index: usize, multiplier: usize, modulus: usize) -> usize {
    (index * multiplier + 1_234_567) % modulus
}

fn generated(office: WireOffice, slot: usize, index: usize) -> OwnedCustomer {
    let (streets, city, companies, landline, tax_prefix) = match office {
        WireOffice::Hcm => (STREETS_HCM, "TP. Hồ Chí Minh", COMPANIES_HCM, "028", "03"),
        WireOffice::Dl => (STREETS_DL, "Lâm Đồng", COMPANIES_DL, "0263", "58"),
        _ => (STREETS_HN, "Hà Nội", COMPANIES_HN, "024", "01"),
    };
    let (street, district) = streets[index % streets.len()];
    let address = format!("{} {street}, {district}, {city}", 3 + spread(index, 37, 180));
    let tax_code = format!("{tax_prefix}{:08}", spread(index, 104_729, 100_000_000));
    if slot < 6 {
        let (surname, surname_ascii) = SURNAMES[index % SURNAMES.len()];
        let middle = MIDDLE_NAMES[(index * 3) % MIDDLE_NAMES.len()];
        let (given, given_ascii) = GIVEN_NAMES[(index * 5) % GIVEN_NAMES.len()];
        let prefix = MOBILE_PREFIXES[index % MOBILE_PREFIXES.len()];
        let email = if index.is_multiple_of(2) {
            format!("{given_ascii}.{surname_ascii}{index}@gmail.com")
        } else {
            String::new()
        };
        return OwnedCustomer {
            name: format!("{surname} {middle} {given}"),
            group: CustomerGroup::Individual,
            phone: format!("{prefix}{:07}", spread(index, 7_919, 10_000_000)),
            email,
            address,
            office,
            tax_code: String::new(),
        };
    }
    let (name, domain) = companies[(slot - 6) % companies.len()];
    let landline_digits = if landline.len() == 3 { 100_000_000 } else { 10_000_000 };
    let width = if landline.len() == 3 { 8 } else { 7 };
    OwnedCustomer {
        name: name.into(),
        group: if slot < 12 { CustomerGroup::Dealer } else { CustomerGroup::Project },
        phone: format!("{landline}{:0width$}", spread(index, 6_007, landline_digits)),
        email: format!("lienhe@{domain}.vn"),
        address,
        office,
        tax_code,
    }
}

/// A customer to enter, fixed or generated.
struct OwnedCustomer {
    name: String,
    group: CustomerGroup,
    phone: String,
    email: String,
    address: String,
    office: WireOffice,
    tax_code: String,
}

/// Every demo customer in entering order: the nine written out, then the generated ones.
fn all() -> Vec<OwnedCustomer> {
    let mut customers: Vec<OwnedCustomer> = CUSTOMERS
        .iter()
        .map(|c| OwnedCustomer {
            name: c.name.into(),
            group: c.group,
            phone: c.phone.into(),
            email: c.email.into(),
            address: c.address.into(),
            office: c.office,
            tax_code: c.tax_code.into(),
        })
        .collect();
    for (o, office) in [Hn, Hcm, Dl].into_iter().enumerate() {
        for slot in 0..GENERATED_PER_OFFICE {
            customers.push(generated(office, slot, o * GENERATED_PER_OFFICE + slot));
        }
    }
    customers
}

/// Enters every demo customer once and returns them in entering order.
pub async fn load(channel: Channel, key: &InternalKey) -> anyhow::Result<Vec<Customer>> {
    let client = CustomersClient::new(channel);
    let mut loaded = Vec::new();
    for (index, customer) in all().into_iter().enumerate() {
        let message = CreateCustomerRequest {
            name: customer.name.clone(),
            group: customer.group as i32,
            phone: customer.phone,
            email: customer.email,
            address: customer.address,
            office: customer.office as i32,
            tax_code: customer.tax_code,
            assigned_to: String::new(),
        };
        let caller = seller_of(customer.office);
        let idempotency_key = format!("demo-customer-{}", index + 1);
        let created = grpc_client::with_retry(|| {
            let mut client = client.clone();
            let request = grpc_client::request(message.clone(), key, &caller, Some(&idempotency_key));
            async move { client.create_customer(request).await }
        })
        .await
        .with_context(|| format!("demo customer {}", customer.name))?
        .into_inner();
        loaded.push(Customer { id: created.id, name: customer.name, office: customer.office });
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixty_customers_of_every_group_in_every_office() {
        let customers = all();
        assert_eq!(customers.len(), 60);
        for office in [Hn, Hcm, Dl] {
            for group in [Individual, Dealer, Project] {
                let count = customers.iter().filter(|c| c.office == office && c.group == group).count();
                assert!(count >= 5, "{office:?} {group:?}: {count}");
            }
        }
    }

    #[test]
    fn generated_phones_and_tax_codes_have_the_national_lengths() {
        for customer in all() {
            let phone = customer.phone.replace("+84", "0");
            assert!(phone.len() == 10 || phone.len() == 11, "{phone}");
            assert!(customer.tax_code.is_empty() || customer.tax_code.len() >= 10, "{}", customer.tax_code);
        }
    }
}
