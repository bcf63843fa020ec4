//! Amounts in words, as printed after "Bằng chữ:" on invoices, quotes and statements.

use super::Language;

const VI_DIGITS: [&str; 10] = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"];
const EN_ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const EN_TENS: [&str; 10] = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
const EN_SCALES: [&str; 7] = ["", "thousand", "million", "billion", "trillion", "quadrillion", "quintillion"];
const BILLION: u64 = 1_000_000_000;

/// The reading of a VND amount, capitalised and ending in the currency:
/// 110_000_000 → "Một trăm mười triệu đồng" / "One hundred ten million dong".
pub fn amount_in_words(amount_vnd: i64, language: Language) -> String {
    let magnitude = amount_vnd.unsigned_abs();
    let (number, minus, currency) = match language {
        Language::Vi => (vietnamese_number(magnitude), "âm", "đồng"),
        Language::En => (english_number(magnitude), "minus", "dong"),
    };
    let sentence = if amount_vnd < 0 { format!("{minus} {number} {currency}") } else { format!("{number} {currency}") };
    capitalise_first(&sentence)
}

fn capitalise_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Vietnamese reads numbers in groups below a billion and then repeats "tỷ" for the billions,
/// so 1.500.000.000.000 is "một nghìn năm trăm tỷ" and 10^15 is "một triệu tỷ".
fn vietnamese_number(number: u64) -> String {
    if number == 0 {
        return VI_DIGITS[0].to_string();
    }
    let mut words = Vec::new();
    push_vietnamese(number, false, &mut words);
    words.join(" ")
}

/// `after_higher` is true when a larger unit was already read, so that leading zeros of this part
/// are spoken ("một triệu không trăm linh năm").
fn push_vietnamese(number: u64, after_higher: bool, words: &mut Vec<String>) {
    let billions = number / BILLION;
    let below = number % BILLION;
    let mut read_higher = after_higher;
    if billions > 0 {
        push_vietnamese(billions, after_higher, words);
        words.push("tỷ".to_string());
        read_higher = true;
    }
    let groups = [(below / 1_000_000, "triệu"), ((below / 1_000) % 1_000, "nghìn"), (below % 1_000, "")];
    for (group, unit) in groups {
        if group == 0 {
            continue;
        }
        push_vietnamese_triple(group, read_higher, words);
        if !unit.is_empty() {
            words.push(unit.to_string());
        }
        read_higher = true;
    }
}

fn vi_digit(digit: u64) -> String {
    VI_DIGITS.get(usize::try_from(digit).unwrap_or(0)).copied().unwrap_or("").to_string()
}

/// Reads 1..=999 with the spoken forms: mười, mươi, mốt, tư, lăm, linh.
fn push_vietnamese_triple(group: u64, after_higher: bool, words: &mut Vec<String>) {
    let (hundreds, tens, ones) = (group / 100, (group / 10) % 10, group % 10);
    let hundreds_read = after_higher || hundreds > 0;
    if hundreds_read {
        words.push(vi_digit(hundreds));
        words.push("trăm".to_string());
    }
    match tens {
        0 => {
            if ones > 0 {
                if hundreds_read {
                    words.push("linh".to_string());
                }
                words.push(vi_digit(ones));
            }
        }
        1 => {
            words.push("mười".to_string());
            match ones {
                0 => {}
                5 => words.push("lăm".to_string()),
                _ => words.push(vi_digit(ones)),
            }
        }
        _ => {
            words.push(vi_digit(tens));
            words.push("mươi".to_string());
            match ones {
                0 => {}
                1 => words.push("mốt".to_string()),
                4 => words.push("tư".to_string()),
                5 => words.push("lăm".to_string()),
                _ => words.push(vi_digit(ones)),
            }
        }
    }
}

/// Short-scale American reading without "and": 110_000_000 → "one hundred ten million".
fn english_number(number: u64) -> String {
    if number == 0 {
        return EN_ONES[0].to_string();
    }
    let mut groups = Vec::new();
    let mut rest = number;
    while rest > 0 {
        groups.push(rest % 1_000);
        rest /= 1_000;
    }
    let mut words = Vec::new();
    for (scale, group) in groups.iter().enumerate().rev() {
        if *group == 0 {
            continue;
        }
        words.push(english_triple(*group));
        if let Some(name) = EN_SCALES.get(scale).filter(|name| !name.is_empty()) {
            words.push((*name).to_string());
        }
    }
    words.join(" ")
}

fn english_triple(group: u64) -> String {
    let word = |index: u64, table: &[&'static str]| -> &'static str {
        table.get(usize::try_from(index).unwrap_or(0)).copied().unwrap_or("")
    };
    let (hundreds, below_hundred) = (group / 100, group % 100);
    let mut parts = Vec::new();
    if hundreds > 0 {
        parts.push(format!("{} hundred", word(hundreds, &EN_ONES)));
    }
    if below_hundred >= 20 {
        let (tens, ones) = (below_hundred / 10, below_hundred % 10);
        if ones == 0 {
            parts.push(word(tens, &EN_TENS).to_string());
        } else {
            parts.push(format!("{}-{}", word(tens, &EN_TENS), word(ones, &EN_ONES)));
        }
    } else if below_hundred > 0 {
        parts.push(word(below_hundred, &EN_ONES).to_string());
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_readings() {
        let cases: &[(i64, &str)] = &[
            (0, "Không đồng"),
            (1, "Một đồng"),
            (5, "Năm đồng"),
            (10, "Mười đồng"),
            (11, "Mười một đồng"),
            (14, "Mười bốn đồng"),
            (15, "Mười lăm đồng"),
            (20, "Hai mươi đồng"),
            (21, "Hai mươi mốt đồng"),
            (24, "Hai mươi tư đồng"),
            (25, "Hai mươi lăm đồng"),
            (55, "Năm mươi lăm đồng"),
            (100, "Một trăm đồng"),
            (101, "Một trăm linh một đồng"),
            (104, "Một trăm linh bốn đồng"),
            (105, "Một trăm linh năm đồng"),
            (110, "Một trăm mười đồng"),
            (115, "Một trăm mười lăm đồng"),
            (121, "Một trăm hai mươi mốt đồng"),
            (1_000, "Một nghìn đồng"),
            (1_005, "Một nghìn không trăm linh năm đồng"),
            (1_010, "Một nghìn không trăm mười đồng"),
            (21_005, "Hai mươi mốt nghìn không trăm linh năm đồng"),
            (1_500_000, "Một triệu năm trăm nghìn đồng"),
            (1_005_000, "Một triệu không trăm linh năm nghìn đồng"),
            (1_000_001, "Một triệu không trăm linh một đồng"),
            (110_000_000, "Một trăm mười triệu đồng"),
            (
                999_999_999,
                "Chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn chín trăm chín mươi chín đồng",
            ),
            (1_000_000_000, "Một tỷ đồng"),
            (1_000_000_005, "Một tỷ không trăm linh năm đồng"),
            (2_000_050_000, "Hai tỷ không trăm năm mươi nghìn đồng"),
            (
                12_345_678_901,
                "Mười hai tỷ ba trăm bốn mươi lăm triệu sáu trăm bảy mươi tám nghìn chín trăm linh một đồng",
            ),
            (1_000_000_000_000, "Một nghìn tỷ đồng"),
            (1_500_000_000_000, "Một nghìn năm trăm tỷ đồng"),
            (1_000_000_000_000_000, "Một triệu tỷ đồng"),
            (-1_500_000, "Âm một triệu năm trăm nghìn đồng"),
        ];
        for (amount, expected) in cases {
            assert_eq!(amount_in_words(*amount, Language::Vi), *expected, "amount {amount}");
        }
    }

    #[test]
    fn english_readings() {
        let cases: &[(i64, &str)] = &[
            (0, "Zero dong"),
            (15, "Fifteen dong"),
            (21, "Twenty-one dong"),
            (25, "Twenty-five dong"),
            (105, "One hundred five dong"),
            (21_005, "Twenty-one thousand five dong"),
            (1_500_000, "One million five hundred thousand dong"),
            (1_000_001, "One million one dong"),
            (110_000_000, "One hundred ten million dong"),
            (1_000_000_000, "One billion dong"),
            (1_000_000_000_000_000, "One quadrillion dong"),
            (-42, "Minus forty-two dong"),
        ];
        for (amount, expected) in cases {
            assert_eq!(amount_in_words(*amount, Language::En), *expected, "amount {amount}");
        }
    }

    #[test]
    fn extremes_do_not_panic() {
        for amount in [i64::MAX, i64::MIN, i64::MIN + 1] {
            assert!(amount_in_words(amount, Language::Vi).ends_with("đồng"));
            assert!(amount_in_words(amount, Language::En).ends_with("dong"));
        }
        assert!(amount_in_words(i64::MIN, Language::Vi).starts_with("Âm chín tỷ hai trăm"));
    }
}
