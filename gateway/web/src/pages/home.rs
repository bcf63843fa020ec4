//! Each person's home: what their role has to act on now, a few lines each, with a link to the
//! whole list. One API call per card.

use askama::Template;
use atq_platform::Role;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use crate::UiState;
use crate::format;
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::{DocumentRow, ListOf};

pub fn router() -> Router<UiState> {
    Router::new().route("/", get(home))
}

/// A card: its title's label, the list it shows (an API path), and the page of the whole list.
struct CardSpec {
    title: &'static str,
    api: &'static str,
    list: &'static str,
}

const QUOTES_TO_FOLLOW: CardSpec =
    CardSpec { title: "home.quotes_sent", api: "/api/v1/quotes?status=sent&limit=5", list: "/quotes?status=sent" };
const ORDERS_DRAFT: CardSpec =
    CardSpec { title: "home.orders_draft", api: "/api/v1/orders?status=draft&limit=5", list: "/orders?status=draft" };
const DISPATCH_TO_APPROVE: CardSpec = CardSpec {
    title: "home.dispatch_requested",
    api: "/api/v1/dispatch-orders?status=requested&limit=5",
    list: "/dispatch-orders?status=requested",
};
const DISPATCH_TO_SHIP: CardSpec = CardSpec {
    title: "home.dispatch_approved",
    api: "/api/v1/dispatch-orders?status=approved&limit=5",
    list: "/dispatch-orders?status=approved",
};
const INVOICES_OPEN: CardSpec = CardSpec {
    title: "home.invoices_open",
    api: "/api/v1/invoices?status=open&limit=5",
    list: "/invoices?status=open",
};
const ORDERS_CONFIRMED: CardSpec = CardSpec {
    title: "home.orders_confirmed",
    api: "/api/v1/orders?status=confirmed&limit=5",
    list: "/orders?status=confirmed",
};
const PLANS_LATE: CardSpec = CardSpec {
    title: "home.plans_late",
    api: "/api/v1/import-plans?status=late&limit=5",
    list: "/import-plans?status=late",
};

fn cards_for(role: Role) -> &'static [CardSpec] {
    match role {
        Role::SalesRep | Role::SalesManager => &[QUOTES_TO_FOLLOW, ORDERS_DRAFT, ORDERS_CONFIRMED],
        Role::Director | Role::Admin => &[DISPATCH_TO_APPROVE, ORDERS_DRAFT, INVOICES_OPEN],
        Role::WarehouseKeeper => &[DISPATCH_TO_SHIP, ORDERS_CONFIRMED],
        Role::Accountant => &[INVOICES_OPEN, DISPATCH_TO_SHIP],
        Role::ImportOfficer => &[PLANS_LATE, ORDERS_CONFIRMED],
        Role::Service => &[],
    }
}

pub struct Card {
    pub title: &'static str,
    pub list: &'static str,
    pub rows: Vec<CardRow>,
}

pub struct CardRow {
    pub href: String,
    pub number: String,
    pub customer: String,
    pub amount: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    greeting: String,
    cards: Vec<Card>,
}

async fn home(State(ui): State<UiState>, session: Session) -> Result<Response, PageError> {
    let t = session.texts();
    let mut cards = Vec::new();
    for spec in cards_for(session.caller.role) {
        let list: ListOf<DocumentRow> = ui.api.get(session.api_caller(), spec.api).await?;
        let section = spec.list.split('?').next().unwrap_or_default();
        let rows = list
            .items
            .into_iter()
            .map(|row| CardRow {
                href: format!("{section}/{}", row.id),
                number: row.number,
                customer: row.customer_name,
                amount: row.open_amount.or(row.total_gross).map(|a| format::money(a, t.lang)).unwrap_or_default(),
                status: t.word("status", &row.status),
            })
            .collect();
        cards.push(Card { title: spec.title, list: spec.list, rows });
    }
    if let Some(figures) = super::dashboard::home_card(&ui, &session).await {
        cards.insert(0, figures);
    }
    let c = Chrome::new(&session, "/", t.get("nav.home").to_owned(), "/");
    let greeting = format!("{} {}", t.get("home.hello"), c.user);
    Ok(html(&HomePage { c, greeting, cards }))
}
