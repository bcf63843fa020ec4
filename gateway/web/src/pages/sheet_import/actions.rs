//! What each row of an import does (or would do, on the check): an import that updates records
//! as well as creating them (the catalog's products) answers per row `create`, `update` or
//! `unchanged`, with the counts; the screen shows both after the check and after the import.
//! Imports that only create answer none of this, and their screens show nothing more.

use serde::Deserialize;

use crate::i18n::Texts;

/// A row's action as the API answers it.
#[derive(Deserialize)]
pub struct RowAction {
    pub row: i32,
    #[serde(default)]
    pub model_code: String,
    pub action: String,
}

/// The counts by action, as the API answers them; absent for imports that only create.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionCounts {
    pub created_count: Option<i32>,
    pub updated_count: Option<i32>,
    pub unchanged_count: Option<i32>,
}

pub struct RowActionView {
    pub row: String,
    pub code: String,
    /// `create`, `update` or `unchanged`: the row's class.
    pub action: String,
    pub label: String,
}

/// The counts as shown, each with its label.
pub struct Tally {
    pub counts: Vec<(String, String)>,
    /// The rows' actions as done (the import) rather than as they would be (the check).
    pub done: bool,
}

/// The label of an action: what the check says a row would do, or what the import did.
fn action_label(action: &str, done: bool, t: Texts) -> String {
    let key = match (action, done) {
        ("create", false) => "import_actions.will_create",
        ("update", false) => "import_actions.will_update",
        ("create", true) => "import_actions.created",
        ("update", true) => "import_actions.updated",
        ("unchanged", _) => "import_actions.unchanged",
        (other, _) => return other.to_owned(),
    };
    t.get(key).to_owned()
}

/// The counts, when the API gave them (an import that may update); None otherwise.
pub fn tally(counts: &ActionCounts, dry_run: bool, t: Texts) -> Option<Tally> {
    let done = !dry_run;
    let all =
        [("create", counts.created_count), ("update", counts.updated_count), ("unchanged", counts.unchanged_count)];
    if all.iter().all(|(_, n)| n.is_none()) {
        return None;
    }
    let counts =
        all.into_iter().map(|(action, n)| (action_label(action, done, t), n.unwrap_or(0).to_string())).collect();
    Some(Tally { counts, done })
}

/// Every row's action, in row order.
pub fn views(mut actions: Vec<RowAction>, dry_run: bool, t: Texts) -> Vec<RowActionView> {
    actions.sort_by_key(|a| a.row);
    actions
        .into_iter()
        .map(|a| RowActionView {
            row: a.row.to_string(),
            label: action_label(&a.action, !dry_run, t),
            code: a.model_code,
            action: a.action,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn the_check_says_what_rows_would_do_and_the_import_what_they_did() {
        let t = Texts::new(Lang::En);
        let answer: ActionCounts =
            serde_json::from_str(r#"{"created_count": 2, "updated_count": 1, "unchanged_count": 0}"#).unwrap();
        let checked = tally(&answer, true, t).unwrap();
        assert!(!checked.done);
        assert_eq!(checked.counts[0].1, "2");
        assert_ne!(checked.counts[0].0, tally(&answer, false, t).unwrap().counts[0].0);
        assert!(tally(&ActionCounts::default(), true, t).is_none(), "an import that only creates");
        let rows = vec![
            RowAction { row: 3, model_code: "B".into(), action: "update".into() },
            RowAction { row: 2, model_code: "A".into(), action: "unchanged".into() },
        ];
        let shown = views(rows, false, Texts::new(Lang::Vi));
        assert_eq!((shown[0].row.as_str(), shown[0].action.as_str()), ("2", "unchanged"));
        assert_eq!(shown[1].label, Texts::new(Lang::Vi).get("import_actions.updated"));
    }
}
