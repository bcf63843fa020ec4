//! The landed-cost preview: goods lines priced in the supplier's currency and the freight,
//! insurance and customs fees in theirs, split by value or quantity; the answer shows each line's
//! landed unit cost in VND, its duty, the import VAT apart, and the rate each conversion used.

use askama::Template;
use atq_platform::currency::minor_unit_digits;
use axum::extract::State;
use axum::response::Response;
use axum_extra::extract::Form;
use serde::Deserialize;

use super::{CURRENCIES, currency_choices, rate_shown, today};
use crate::UiState;
use crate::format;
use crate::i18n::{Lang, Texts};
use crate::page::{Chrome, PageError, html};
use crate::pages::customers::{Choice, choices};
use crate::pages::documents::{percent, product_name};
use crate::pages::forms::{FieldErrors, check_csrf, line_error_fields, put_line_errors};
use crate::pages::stock::catalog;
use crate::session::Session;
use crate::views::LandedCost;

const LINE_ROWS: usize = 3;
/// The charges the form asks for, one row each.
const CHARGE_KINDS: [&str; 3] = ["freight", "insurance", "customs_fee"];
const CHARGE_CURRENCIES: [&str; 9] = ["VND", "USD", "EUR", "JPY", "GBP", "CHF", "CNY", "KRW", "SGD"];
const ALLOCATIONS: [&str; 2] = ["value", "quantity"];
const HEAD_FIELDS: [&str; 5] = ["currency", "rate_date", "supplier_id", "lines", "charges"];
const LINE_FIELDS: [&str; 5] = ["product_id", "quantity", "unit_price", "unit_weight_grams", "duty_rate"];
const CHARGE_FIELDS: [&str; 4] = ["kind", "amount", "currency", "allocation"];

/// The form as typed; line and charge fields repeat once per row.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LandedForm {
    csrf: String,
    currency: String,
    rate_date: String,
    allocation: String,
    product_id: Vec<String>,
    quantity: Vec<String>,
    unit_price: Vec<String>,
    charge_amount: Vec<String>,
    charge_currency: Vec<String>,
}

#[derive(Default)]
pub struct LineRow {
    pub product_id: String,
    pub quantity: String,
    pub unit_price: String,
    pub error: String,
}

pub struct ChargeRow {
    pub kind: &'static str,
    pub label: String,
    pub amount: String,
    pub currencies: Vec<Choice>,
    pub error: String,
}

pub struct ProductChoice {
    pub value: String,
    pub label: String,
}

/// The preview as shown: amounts already written in the page's language.
pub struct Preview {
    pub rate_date: String,
    pub rates: Vec<[String; 4]>,
    pub lines: Vec<[String; 9]>,
    pub charges: Vec<[String; 4]>,
    pub totals: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "landed_cost.html")]
struct LandedPage {
    c: Chrome,
    form: LandedForm,
    currencies: Vec<Choice>,
    allocations: Vec<Choice>,
    products: Vec<ProductChoice>,
    rows: Vec<LineRow>,
    charges: Vec<ChargeRow>,
    errors: FieldErrors,
    other_errors: String,
    preview: Option<Preview>,
}

fn value_at(values: &[String], i: usize) -> String {
    values.get(i).map(|v| v.trim().to_owned()).unwrap_or_default()
}

/// An amount typed in a currency's major unit ("1.234,56" in Vietnamese, "1,234.56" in English)
/// as an integer of its minor unit.
fn minor_units(typed: &str, currency: &str, lang: Lang) -> Option<i64> {
    let digits = minor_unit_digits(currency)?;
    let (grouping, decimal) = if lang == Lang::Vi { ('.', ',') } else { (',', '.') };
    let plain: String = typed.chars().filter(|c| *c != grouping && !c.is_whitespace()).collect();
    let (whole, fraction) = plain.split_once(decimal).unwrap_or((&plain, ""));
    let is_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !is_digits(whole) || !is_digits(fraction) || fraction.len() > digits as usize {
        return None;
    }
    let padded = format!("{whole}{fraction:0<width$}", width = digits as usize);
    padded.parse().ok()
}

/// An amount of a currency's minor unit written in its major unit.
fn major_shown(amount: i64, currency: &str, lang: Lang) -> String {
    let digits = minor_unit_digits(currency).unwrap_or(0);
    let scale = 10_i64.pow(digits);
    let whole = format::number(amount / scale, lang);
    if digits == 0 {
        return whole;
    }
    let decimal = if lang == Lang::Vi { ',' } else { '.' };
    format!("{whole}{decimal}{:0width$}", (amount % scale).abs(), width = digits as usize)
}

fn typed_rows(form: &LandedForm, t: Texts) -> Vec<LineRow> {
    let count = [form.product_id.len(), form.quantity.len(), form.unit_price.len()].into_iter().max().unwrap_or(0);
    (0..count)
        .map(|i| {
            let mut row = LineRow {
                product_id: value_at(&form.product_id, i),
                quantity: value_at(&form.quantity, i),
                unit_price: value_at(&form.unit_price, i),
                error: String::new(),
            };
            let blank = row.product_id.is_empty() && row.quantity.is_empty() && row.unit_price.is_empty();
            row.error = if blank {
                ""
            } else if row.product_id.is_empty() {
                t.get("quotes.choose_product")
            } else if row.quantity.parse::<i64>().is_err() {
                t.get("quotes.quantity_whole")
            } else if minor_units(&row.unit_price, form.currency.trim(), t.lang).is_none() {
                t.get("costing.amount_invalid")
            } else {
                ""
            }
            .to_owned();
            row
        })
        .collect()
}

fn typed_charges(form: &LandedForm, t: Texts) -> Vec<ChargeRow> {
    CHARGE_KINDS
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            let amount = value_at(&form.charge_amount, i);
            let typed_currency = value_at(&form.charge_currency, i);
            let currency = if typed_currency.is_empty() {
                if *kind == "customs_fee" { "VND".to_owned() } else { form.currency.trim().to_owned() }
            } else {
                typed_currency
            };
            let invalid = !amount.is_empty() && minor_units(&amount, &currency, t.lang).is_none();
            ChargeRow {
                kind,
                label: t.word("charge_kind", kind),
                error: if invalid { t.get("costing.amount_invalid").to_owned() } else { String::new() },
                currencies: currency_choices(&CHARGE_CURRENCIES, &currency),
                amount,
            }
        })
        .collect()
}

/// The body to send, with the rows each sent line and charge came from.
fn request(
    form: &LandedForm,
    rows: &[LineRow],
    charges: &[ChargeRow],
    lang: Lang,
) -> (serde_json::Value, Vec<usize>, Vec<usize>) {
    let currency = form.currency.trim();
    let (mut lines, mut line_rows) = (Vec::new(), Vec::new());
    for (i, row) in rows.iter().enumerate().filter(|(_, row)| !row.product_id.is_empty()) {
        let (Ok(product_id), Ok(quantity)) = (row.product_id.parse::<i64>(), row.quantity.parse::<i64>()) else {
            continue;
        };
        let Some(unit_price) = minor_units(&row.unit_price, currency, lang) else { continue };
        lines.push(serde_json::json!({"product_id": product_id, "quantity": quantity, "unit_price": unit_price}));
        line_rows.push(i);
    }
    let (mut sent_charges, mut charge_rows) = (Vec::new(), Vec::new());
    for (i, charge) in charges.iter().enumerate().filter(|(_, c)| !c.amount.is_empty()) {
        let charge_currency = charge.currencies.iter().find(|c| c.selected).map(|c| c.value).unwrap_or("VND");
        let Some(amount) = minor_units(&charge.amount, charge_currency, lang) else { continue };
        sent_charges.push(serde_json::json!({"kind": charge.kind, "amount": amount, "currency": charge_currency,
            "allocation": form.allocation.trim()}));
        charge_rows.push(i);
    }
    let rate_date = Some(form.rate_date.trim()).filter(|d| !d.is_empty());
    let body =
        serde_json::json!({"currency": currency, "rate_date": rate_date, "lines": lines, "charges": sent_charges});
    (body, line_rows, charge_rows)
}

fn preview_shown(cost: LandedCost, t: Texts) -> Preview {
    let money = |vnd: i64| format::money(vnd, t.lang);
    Preview {
        rate_date: format::date(&cost.rate_date, t.lang),
        rates: cost
            .rates
            .into_iter()
            .map(|r| [r.currency, rate_shown(&r.rate, t.lang), format::date(&r.effective_on, t.lang), r.source])
            .collect(),
        lines: cost
            .lines
            .into_iter()
            .map(|l| {
                [
                    l.model_code,
                    format::number(l.quantity, t.lang),
                    money(l.goods_value),
                    money(l.customs_value),
                    format!("{} · {}", percent(&l.duty_rate, t.lang), money(l.import_duty)),
                    money(l.landed_total),
                    money(l.landed_unit_cost),
                    percent(&l.import_vat_rate, t.lang),
                    money(l.import_vat),
                ]
            })
            .collect(),
        charges: cost
            .charges
            .into_iter()
            .map(|c| {
                [
                    t.word("charge_kind", &c.kind),
                    format!("{} {}", major_shown(c.amount, &c.currency, t.lang), c.currency),
                    t.word("allocation", &c.allocation),
                    money(c.amount_vnd),
                ]
            })
            .collect(),
        totals: [
            ("costing.total_goods", cost.total_goods),
            ("costing.total_charges", cost.total_charges),
            ("costing.total_duty", cost.total_duty),
            ("costing.total_landed", cost.total_landed),
            ("costing.total_import_vat", cost.total_import_vat),
        ]
        .into_iter()
        .map(|(label, amount)| (t.get(label).to_owned(), money(amount)))
        .collect(),
    }
}

async fn landed_page(
    ui: &UiState,
    session: &Session,
    (form, rows, charges): (LandedForm, Vec<LineRow>, Vec<ChargeRow>),
    errors: FieldErrors,
    preview: Option<Preview>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let mut products: Vec<ProductChoice> = catalog(ui, session, "")
        .await?
        .into_values()
        .map(|p| ProductChoice {
            value: p.id.to_string(),
            label: format!("{} — {}", p.model_code, product_name(&p, t.lang)),
        })
        .collect();
    products.sort_by(|a, b| a.label.cmp(&b.label));
    let mut rows = rows;
    while rows.len() < LINE_ROWS {
        rows.push(LineRow::default());
    }
    let shown: Vec<String> = HEAD_FIELDS
        .iter()
        .map(|f| (*f).to_owned())
        .chain((0..rows.len()).flat_map(|i| line_error_fields(i, &LINE_FIELDS)))
        .chain((0..charges.len()).flat_map(charge_error_fields))
        .collect();
    let other_errors = errors.others(&shown.iter().map(String::as_str).collect::<Vec<_>>());
    let c = Chrome::new(session, "/exchange-rates", t.get("costing.landed_title").to_owned(), "/landed-cost");
    Ok(html(&LandedPage {
        c,
        currencies: currency_choices(&CURRENCIES, form.currency.trim()),
        allocations: choices(t, "allocation", &ALLOCATIONS, form.allocation.trim()),
        form,
        products,
        rows,
        charges,
        errors,
        other_errors,
        preview,
    }))
}

fn charge_error_fields(index: usize) -> Vec<String> {
    std::iter::once(format!("charges[{index}]"))
        .chain(CHARGE_FIELDS.iter().map(|f| format!("charges[{index}].{f}")))
        .collect()
}

pub async fn blank_form(State(ui): State<UiState>, session: Session) -> Result<Response, PageError> {
    let t = session.texts();
    let form =
        LandedForm { currency: "USD".into(), rate_date: today(), allocation: "value".into(), ..Default::default() };
    let charges = typed_charges(&form, t);
    landed_page(&ui, &session, (form, Vec::new(), charges), FieldErrors::default(), None).await
}

/// Computes nothing itself: the API answers, and the page shows the answer under the form.
pub async fn preview(
    State(ui): State<UiState>,
    session: Session,
    Form(form): Form<LandedForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let t = session.texts();
    let mut rows = typed_rows(&form, t);
    let mut charges = typed_charges(&form, t);
    if rows.iter().any(|r| !r.error.is_empty()) || charges.iter().any(|c| !c.error.is_empty()) {
        return landed_page(&ui, &session, (form, rows, charges), FieldErrors::default(), None).await;
    }
    let (body, line_rows, charge_rows) = request(&form, &rows, &charges, t.lang);
    match ui.api.send(session.api_caller(), axum::http::Method::POST, "/api/v1/landed-costs/preview", &body, &[]).await
    {
        Ok(answer) => {
            let cost: LandedCost = answer.json()?;
            let preview = preview_shown(cost, t);
            landed_page(&ui, &session, (form, rows, charges), FieldErrors::default(), Some(preview)).await
        }
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, t)?;
            put_line_errors(&errors, line_rows.into_iter(), &LINE_FIELDS, &mut rows, |row| &mut row.error);
            for (sent, row) in charge_rows.into_iter().enumerate() {
                let messages: Vec<&str> =
                    charge_error_fields(sent).iter().map(|f| errors.of(f)).filter(|m| !m.is_empty()).collect();
                if let Some(charge) = charges.get_mut(row) {
                    charge.error = messages.join(" · ");
                }
            }
            landed_page(&ui, &session, (form, rows, charges), errors, None).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_in_the_currencys_minor_unit() {
        assert_eq!(minor_units("1.234,5", "USD", Lang::Vi), Some(123_450));
        assert_eq!(minor_units("1,234.56", "USD", Lang::En), Some(123_456));
        assert_eq!(minor_units("150000", "JPY", Lang::En), Some(150_000));
        assert_eq!(minor_units("1.5", "JPY", Lang::En), None);
        assert_eq!(minor_units("2.000.000", "VND", Lang::Vi), Some(2_000_000));
        assert_eq!(minor_units("x", "USD", Lang::En), None);
        assert_eq!(major_shown(123_456, "USD", Lang::En), "1,234.56");
        assert_eq!(major_shown(150_000, "JPY", Lang::Vi), "150.000");
    }
}
