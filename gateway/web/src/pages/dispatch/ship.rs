//! Shipping a dispatch order: the warehouse keeper ticks, for each line of a serial-numbered
//! product, the units that leave (one per unit of the line); other products ship their quantity.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};

use super::{Refusal, show_page};
use crate::UiState;
use crate::api::ApiProblem;
use crate::page::PageError;
use crate::pages::documents::products_by_id;
use crate::pages::forms::{FieldErrors, check_csrf};
use crate::session::{CSRF_FIELD, Session};
use crate::views::{DispatchOrder, ListOf, SerialUnit};

/// The units of a product that may leave `warehouse`: in stock and in good condition.
pub async fn units_in_stock(
    ui: &UiState,
    session: &Session,
    product_id: i64,
    warehouse: &str,
) -> Result<Vec<String>, PageError> {
    let query =
        serde_urlencoded::to_string([("product_id", product_id.to_string().as_str()), ("warehouse", warehouse)])
            .unwrap_or_default();
    let units: ListOf<SerialUnit> = ui.api.get(session.api_caller(), &format!("/api/v1/stock/serials?{query}")).await?;
    Ok(units.items.into_iter().filter(|u| u.status == "in_stock" && u.condition == "good").map(|u| u.serial).collect())
}

/// The ship form as sent: its CSRF value, the version read, and the serials ticked per line
/// (fields `serial_{line_no}`, one per ticked unit).
struct ShipForm {
    csrf: String,
    version: i64,
    picked: HashMap<i32, Vec<String>>,
}

fn read_form(body: &[u8]) -> Result<ShipForm, PageError> {
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|error| {
        PageError::Api(ApiProblem {
            status: 400,
            title: "Bad Request".into(),
            detail: error.to_string(),
            errors: Vec::new(),
        })
    })?;
    let mut form = ShipForm { csrf: String::new(), version: 0, picked: HashMap::new() };
    for (name, value) in fields {
        match name.as_str() {
            CSRF_FIELD => form.csrf = value,
            "version" => form.version = value.trim().parse().unwrap_or(0),
            _ => {
                if let Some(line_no) = name.strip_prefix("serial_").and_then(|n| n.parse::<i32>().ok()) {
                    form.picked.entry(line_no).or_default().push(value);
                }
            }
        }
    }
    Ok(form)
}

/// Lines of serial-numbered products whose ticked units do not match their quantity.
fn miscounted(
    dispatch: &DispatchOrder,
    tracked: &HashMap<i64, bool>,
    picked: &HashMap<i32, Vec<String>>,
    t: crate::i18n::Texts,
) -> HashMap<i32, String> {
    dispatch
        .lines
        .iter()
        .filter(|line| tracked.get(&line.product_id).copied().unwrap_or(false))
        .filter(|line| picked.get(&line.line_no).map_or(0, Vec::len) as i64 != line.quantity)
        .map(|line| (line.line_no, format!("{} {}", t.get("dispatch.pick_exactly"), line.quantity)))
        .collect()
}

pub async fn ship(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = read_form(&body)?;
    check_csrf(&session, &form.csrf)?;
    let t = session.texts();
    let dispatch: DispatchOrder = ui.api.get(session.api_caller(), &format!("/api/v1/dispatch-orders/{id}")).await?;
    let products = products_by_id(&ui, &session, dispatch.lines.iter().map(|l| l.product_id).collect()).await?;
    let tracked: HashMap<i64, bool> = products.iter().map(|(id, p)| (*id, p.serial_tracked)).collect();
    let line_errors = miscounted(&dispatch, &tracked, &form.picked, t);
    if !line_errors.is_empty() {
        let refusal = Refusal { message: String::new(), picked: form.picked, line_errors };
        return show_page(&ui, &session, id, refusal).await;
    }
    let lines: Vec<serde_json::Value> = dispatch
        .lines
        .iter()
        .map(|line| {
            let serials = form.picked.get(&line.line_no).cloned().unwrap_or_default();
            serde_json::json!({ "line_no": line.line_no, "serials": serials })
        })
        .collect();
    let headers = [("if-match", format!("\"{}\"", form.version))];
    let path = format!("/api/v1/dispatch-orders/{id}/ship");
    let body = serde_json::json!({ "lines": lines });
    match ui.api.send(session.api_caller(), Method::POST, &path, &body, &headers).await {
        Ok(_) => Ok(Redirect::to(&format!("/dispatch-orders/{id}")).into_response()),
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, t)?;
            // The API names a line's errors by its place in the dispatch order (`lines[0].serials`).
            let mut line_errors = HashMap::new();
            let mut shown = Vec::new();
            for (i, line) in dispatch.lines.iter().enumerate() {
                for field in [format!("lines[{i}].serials"), format!("lines[{i}]")] {
                    let message = errors.of(&field);
                    if !message.is_empty() {
                        line_errors.insert(line.line_no, message.to_owned());
                    }
                    shown.push(field);
                }
            }
            let message = errors.others(&shown.iter().map(String::as_str).collect::<Vec<_>>());
            let refusal = Refusal { message, picked: form.picked, line_errors };
            Ok(show_page(&ui, &session, id, refusal).await?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, Texts};
    use crate::views::DispatchLine;

    #[test]
    fn ticked_serials_are_read_per_line() {
        let form = read_form(b"csrf=abc&version=4&serial_1=SN-1&serial_1=SN-2&serial_2=X%201&other=1").unwrap();
        assert_eq!((form.csrf.as_str(), form.version), ("abc", 4));
        assert_eq!(form.picked[&1], ["SN-1", "SN-2"]);
        assert_eq!(form.picked[&2], ["X 1"]);
        assert_eq!(form.picked.len(), 2);
    }

    #[test]
    fn serial_numbered_lines_need_one_serial_per_unit() {
        let line = |line_no, product_id, quantity| DispatchLine {
            line_no,
            product_id,
            model_code: String::new(),
            quantity,
            serials: Vec::new(),
        };
        let dispatch = DispatchOrder {
            id: 1,
            number: String::new(),
            order_id: 1,
            order_number: String::new(),
            customer_id: 1,
            customer_name: String::new(),
            warehouse: "HN".into(),
            status: "approved".into(),
            lines: vec![line(1, 10, 2), line(2, 20, 5), line(3, 10, 1)],
            requested_by: String::new(),
            decided_by: String::new(),
            decision_note: String::new(),
            goods_issue_number: String::new(),
            version: 3,
            created_at: String::new(),
            shipped_at: None,
            delivered_at: None,
        };
        let tracked = HashMap::from([(10, true), (20, false)]);
        let picked = HashMap::from([(1, vec!["A".to_owned(), "B".to_owned()])]);
        let wrong = miscounted(&dispatch, &tracked, &picked, Texts::new(Lang::Vi));
        assert_eq!(wrong.keys().copied().collect::<Vec<_>>(), [3]);
    }
}
