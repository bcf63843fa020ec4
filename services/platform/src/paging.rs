//! Keyset paging: the cursor is the last id of the previous page, so pages stay stable while
//! records are added.

use crate::validation::Violations;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    pub after_id: i64,
    pub limit: u32,
}

impl Page {
    pub fn parse(request: Option<&atq_proto::common::v1::PageRequest>, violations: &mut Violations) -> Page {
        let (limit, cursor) = request.map(|p| (p.limit, p.cursor.as_str())).unwrap_or((0, ""));
        let limit = match limit {
            0 => DEFAULT_LIMIT,
            n if n > MAX_LIMIT => {
                violations.add("limit", format!("must be at most {MAX_LIMIT}"));
                MAX_LIMIT
            }
            n => n,
        };
        let after_id = if cursor.is_empty() {
            0
        } else {
            match cursor.parse::<i64>() {
                Ok(id) if id >= 0 => id,
                _ => {
                    violations.add("cursor", "is not a cursor this list returned");
                    0
                }
            }
        };
        Page { after_id, limit }
    }

    /// Fetch one more row than the page holds to learn whether another page follows.
    pub fn fetch_limit(self) -> i64 {
        i64::from(self.limit) + 1
    }

    /// Trims the extra row and returns the cursor of the next page, if there is one.
    pub fn finish<T>(self, rows: &mut Vec<T>, id_of: impl Fn(&T) -> i64) -> String {
        if rows.len() > self.limit as usize {
            rows.truncate(self.limit as usize);
            rows.last().map(|row| id_of(row).to_string()).unwrap_or_default()
        } else {
            String::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_foreign_cursor_is_a_field_error() {
        let mut violations = Violations::new();
        let request = atq_proto::common::v1::PageRequest { limit: 10, cursor: "abc".into() };
        Page::parse(Some(&request), &mut violations);
        assert!(violations.finish().is_err());
    }

    #[test]
    fn the_extra_row_becomes_the_next_cursor() {
        let page = Page { after_id: 0, limit: 2 };
        let mut rows = vec![1, 2, 3];
        assert_eq!(page.finish(&mut rows, |id| *id), "2");
        assert_eq!(rows, vec![1, 2]);
        let mut last = vec![4];
        assert_eq!(page.finish(&mut last, |id| *id), "");
    }
}
