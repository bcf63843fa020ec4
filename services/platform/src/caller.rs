//! Who is calling. The gateway authenticates people; services trust only a short-lived token
//! signed with the key they share with the gateway and their siblings, carried in gRPC metadata.

use std::sync::Arc;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use tonic::{Request, Status};

use crate::office::Office;

pub const CALLER_METADATA_KEY: &str = "x-atq-caller";
const AUDIENCE: &str = "atq-internal";
const TOKEN_SECONDS: u64 = 120;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    SalesRep,
    SalesManager,
    ImportOfficer,
    Accountant,
    WarehouseKeeper,
    Director,
    Admin,
    /// A sibling service acting on its own behalf (event consumers, scheduled work).
    Service,
}

/// What a caller may want to do; each route and each service method names one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    ReadCustomers,
    WriteCustomers,
    ReadReports,
    ReadCatalog,
    WriteCatalog,
    ReadCosts,
    WriteRates,
    ReadStock,
    WriteStock,
    ReserveStock,
    ReadOrders,
    WriteOrders,
    DecideDispatch,
    ShipDispatch,
    ConfirmDelivery,
    ReadAccounts,
    WriteAccounts,
    SetCreditTerms,
    OverrideCredit,
    PlanImports,
    WritePurchases,
    ReceivePurchases,
    ManageUsers,
    /// Customer requests (questions, complaints, warranty claims) and their timelines.
    WriteRequests,
    /// Warranty cases and returns to the supplier.
    HandleWarranty,
    /// Approving dealers, their tiers and the rules that decide them.
    DecideDealers,
    /// Holiday and working-time calendars that SLA clocks count on.
    WriteCalendars,
    /// Running a sales team: setting targets, reading an office's roll-up of sales reports.
    ManageSalesTeam,
}

impl Role {
    pub const HUMAN: [Role; 7] = [
        Role::SalesRep,
        Role::SalesManager,
        Role::ImportOfficer,
        Role::Accountant,
        Role::WarehouseKeeper,
        Role::Director,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::SalesRep => "sales_rep",
            Role::SalesManager => "sales_manager",
            Role::ImportOfficer => "import_officer",
            Role::Accountant => "accountant",
            Role::WarehouseKeeper => "warehouse_keeper",
            Role::Director => "director",
            Role::Admin => "admin",
            Role::Service => "service",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::HUMAN.into_iter().chain([Role::Service]).find(|role| role.as_str() == text)
    }

    /// The permission table: which roles may do what.
    pub fn may(self, action: Action) -> bool {
        use Role::*;
        match action {
            Action::ReadCustomers => true,
            Action::WriteCustomers => matches!(self, SalesRep | SalesManager | Director | Admin),
            Action::ReadReports => matches!(self, SalesManager | Director | Admin | Accountant | Service),
            Action::ReadCatalog => true,
            // The import-export department keeps the catalog.
            Action::WriteCatalog => matches!(self, ImportOfficer | Director | Admin),
            // Import costs show the margins: import-export, accounting and the directors.
            Action::ReadCosts => matches!(self, ImportOfficer | Accountant | Director | Admin | Service),
            // Exchange and duty rates are entered by import-export or accounting.
            Action::WriteRates => matches!(self, ImportOfficer | Accountant | Director | Admin),
            // Sales plans with stock figures; the warehouse keeper moves the goods.
            Action::ReadStock => true,
            // Import planning takes received supplier orders into stock as a service.
            Action::WriteStock => matches!(self, WarehouseKeeper | Director | Admin | Service),
            // Confirming and cancelling orders reserves and releases stock.
            Action::ReserveStock => matches!(self, SalesRep | SalesManager | Director | Admin | Service),
            // The warehouse ships orders and accounting invoices them: both read them.
            Action::ReadOrders => true,
            Action::WriteOrders => matches!(self, SalesRep | SalesManager | Director | Admin),
            // The directors issue dispatch orders to the warehouse.
            Action::DecideDispatch => matches!(self, Director | Admin),
            Action::ShipDispatch => matches!(self, WarehouseKeeper | Director | Admin),
            Action::ConfirmDelivery => matches!(self, WarehouseKeeper | SalesRep | SalesManager | Director | Admin),
            // Sales follows up customers' debts; accounting keeps them.
            Action::ReadAccounts => matches!(self, Accountant | SalesRep | SalesManager | Director | Admin | Service),
            Action::WriteAccounts => matches!(self, Accountant | Director | Admin),
            Action::SetCreditTerms => matches!(self, Accountant | Director | Admin),
            // Confirming an order beyond the customer's credit limit is the directors' call.
            Action::OverrideCredit => matches!(self, Director | Admin),
            // Sales sends project schedules; import-export plans from them.
            Action::PlanImports => matches!(self, SalesRep | SalesManager | ImportOfficer | Director | Admin | Service),
            // Supplier orders are import-export's; the warehouse takes the goods in.
            Action::WritePurchases => matches!(self, ImportOfficer | Director | Admin),
            Action::ReceivePurchases => matches!(self, ImportOfficer | WarehouseKeeper | Director | Admin),
            // Staff accounts are the administrator's.
            Action::ManageUsers => matches!(self, Admin),
            // Every department answers the requests routed to it; the warehouse only reads them.
            Action::WriteRequests => {
                matches!(self, SalesRep | SalesManager | ImportOfficer | Accountant | Director | Admin | Service)
            }
            // Import-export deals with the foreign suppliers on warranty.
            Action::HandleWarranty => matches!(self, ImportOfficer | Director | Admin | Service),
            // A dealer's tier is a commercial decision of the directors.
            Action::DecideDealers => matches!(self, Director | Admin),
            Action::WriteCalendars => matches!(self, Admin | Director),
            Action::ManageSalesTeam => matches!(self, SalesManager | Director | Admin),
        }
    }

    /// Sales staff work their own office's territory; everyone else sees the whole company.
    pub fn is_office_scoped(self) -> bool {
        matches!(self, Role::SalesRep | Role::SalesManager)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    pub username: String,
    pub role: Role,
    pub office: Option<Office>,
}

impl Caller {
    pub fn service(name: &str) -> Caller {
        Caller { username: format!("service:{name}"), role: Role::Service, office: None }
    }

    pub fn require(&self, action: Action) -> Result<(), crate::Error> {
        if self.role.may(action) {
            Ok(())
        } else {
            Err(crate::Error::PermissionDenied(format!("role {} may not do this", self.role.as_str())))
        }
    }

    /// Whether records of `office` are inside the caller's territory.
    pub fn sees_office(&self, office: Office) -> bool {
        !self.role.is_office_scoped() || self.office == Some(office)
    }

    /// The office a list must be limited to, if the caller's territory limits it.
    pub fn territory(&self) -> Option<Office> {
        if self.role.is_office_scoped() { self.office } else { None }
    }

    /// The caller a service handler was given by [`authenticate`].
    pub fn of<T>(request: &Request<T>) -> Result<Caller, Status> {
        request.extensions().get::<Caller>().cloned().ok_or_else(|| Status::unauthenticated("no caller identity"))
    }
}

#[derive(Serialize, Deserialize)]
struct Claims {
    sub: String,
    role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    office: Option<Office>,
    aud: String,
    exp: u64,
}

/// The secret shared by the gateway and the services for signing caller tokens.
#[derive(Clone)]
pub struct InternalKey(Arc<Vec<u8>>);

impl std::fmt::Debug for InternalKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InternalKey(***)")
    }
}

impl InternalKey {
    pub fn new(secret: impl AsRef<[u8]>) -> InternalKey {
        InternalKey(Arc::new(secret.as_ref().to_vec()))
    }

    /// A fresh random key, for a single process where every part shares memory.
    pub fn random() -> InternalKey {
        let bytes: Vec<u8> = (0..4).flat_map(|_| *uuid::Uuid::new_v4().as_bytes()).collect();
        InternalKey(Arc::new(bytes))
    }

    pub fn mint(&self, caller: &Caller) -> String {
        let claims = Claims {
            sub: caller.username.clone(),
            role: caller.role,
            office: caller.office,
            aud: AUDIENCE.to_owned(),
            exp: jsonwebtoken::get_current_timestamp() + TOKEN_SECONDS,
        };
        // HS256 over a serialisable struct cannot fail.
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(&self.0))
            .unwrap_or_default()
    }

    pub fn verify(&self, token: &str) -> Result<Caller, Status> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[AUDIENCE]);
        let data = jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(&self.0), &validation)
            .map_err(|error| Status::unauthenticated(format!("caller token rejected: {error}")))?;
        let claims = data.claims;
        Ok(Caller { username: claims.sub, role: claims.role, office: claims.office })
    }
}

/// A tonic interceptor: refuses calls without a valid caller token and hands the caller to the
/// handler. Health and reflection are mounted without it, for probes and tools.
pub fn authenticate(key: InternalKey) -> impl Fn(Request<()>) -> Result<Request<()>, Status> + Clone {
    move |mut request: Request<()>| {
        let token = request
            .metadata()
            .get(CALLER_METADATA_KEY)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(|| Status::unauthenticated("calls must come from the gateway or a sibling service"))?;
        let caller = key.verify(token)?;
        request.extensions_mut().insert(caller);
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rep() -> Caller {
        Caller { username: "sales.hn".into(), role: Role::SalesRep, office: Some(Office::HaNoi) }
    }

    #[test]
    fn a_token_from_the_same_key_gives_back_the_caller() {
        let key = InternalKey::random();
        assert_eq!(key.verify(&key.mint(&rep())).unwrap(), rep());
    }

    #[test]
    fn a_token_from_another_key_is_refused() {
        let token = InternalKey::random().mint(&rep());
        assert_eq!(InternalKey::random().verify(&token).unwrap_err().code(), tonic::Code::Unauthenticated);
    }

    #[test]
    fn the_interceptor_refuses_a_call_without_a_token() {
        let check = authenticate(InternalKey::random());
        assert_eq!(check(Request::new(())).unwrap_err().code(), tonic::Code::Unauthenticated);
    }

    #[test]
    fn sales_staff_see_only_their_office() {
        assert!(rep().sees_office(Office::HaNoi));
        assert!(!rep().sees_office(Office::DaLat));
        let director = Caller { username: "director".into(), role: Role::Director, office: Some(Office::HaNoi) };
        assert!(director.sees_office(Office::DaLat));
        assert_eq!(director.territory(), None);
    }

    #[test]
    fn warehouse_keepers_may_not_edit_customers() {
        assert!(!Role::WarehouseKeeper.may(Action::WriteCustomers));
        assert!(Role::WarehouseKeeper.may(Action::ReadCustomers));
    }
}
