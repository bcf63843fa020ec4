//! Search that ignores case and Vietnamese diacritics, identical on every database: the text is
//! folded here, stored beside the record, and queries are folded the same way.

/// "Nguyễn Văn Đức" -> "nguyen van duc".
pub fn fold(text: &str) -> String {
    let ascii = deunicode::deunicode(text);
    let mut folded = String::with_capacity(ascii.len());
    let mut last_space = true;
    for ch in ascii.chars() {
        if ch.is_alphanumeric() || matches!(ch, '@' | '.' | '+' | '-' | '_') {
            folded.push(ch.to_ascii_lowercase());
            last_space = false;
        } else if !last_space {
            folded.push(' ');
            last_space = true;
        }
    }
    folded.trim_end().to_owned()
}

/// A LIKE pattern matching the folded query anywhere. Folding drops `%` and `\`; `_` survives
/// it and is escaped, so it matches only itself.
pub fn like_pattern(query: &str) -> String {
    let mut pattern = String::from("%");
    for ch in fold(query).chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_names_fold_to_plain_lowercase() {
        assert_eq!(fold("Nguyễn Văn Đức"), "nguyen van duc");
        assert_eq!(fold("ĐỨC"), "duc");
        assert_eq!(fold("  Trường   Đại học  Đà Lạt "), "truong dai hoc da lat");
        assert_eq!(fold("Phạm Thị Ánh Tuyết"), "pham thi anh tuyet");
    }

    #[test]
    fn emails_and_phones_keep_their_punctuation() {
        assert_eq!(fold("Duc.Nguyen@ATQ.vn"), "duc.nguyen@atq.vn");
        assert_eq!(fold("+84 912 345 678"), "+84 912 345 678");
    }

    #[test]
    fn like_wildcards_in_a_query_are_literal() {
        assert_eq!(like_pattern("a_b"), "%a\\_b%");
        assert_eq!(like_pattern("50%"), "%50%");
        assert_eq!(like_pattern("Đức"), "%duc%");
    }
}
