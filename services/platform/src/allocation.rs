//! Splitting an amount over lines in proportion to weights so that the parts sum to exactly the
//! amount: each line gets the floor of its share, and the đồng left over go one each to the
//! lines with the largest remainders (ties to the earlier line). No đồng is lost or invented.

/// `total` split in proportion to `weights` (all >= 0). None when every weight is zero or one is
/// negative: there is nothing to split by.
pub fn allocate(total: i64, weights: &[i128]) -> Option<Vec<i64>> {
    if weights.iter().any(|w| *w < 0) {
        return None;
    }
    let sum: i128 = weights.iter().sum();
    if sum == 0 {
        return None;
    }
    let magnitude = i128::from(total).abs();
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (index, weight) in weights.iter().enumerate() {
        let exact = magnitude * weight;
        parts.push(exact / sum);
        remainders.push((exact % sum, index));
    }
    let mut left = magnitude - parts.iter().sum::<i128>();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, index) in remainders {
        if left == 0 {
            break;
        }
        parts[index] += 1;
        left -= 1;
    }
    let sign = if total < 0 { -1 } else { 1 };
    parts.into_iter().map(|p| i64::try_from(p * sign).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_sum_to_the_total_with_the_odd_dong_to_the_largest_remainders() {
        assert_eq!(allocate(100, &[1, 1, 1]), Some(vec![34, 33, 33]));
        assert_eq!(allocate(10, &[1, 2, 2]), Some(vec![2, 4, 4]));
        assert_eq!(allocate(7, &[3, 0, 5]), Some(vec![3, 0, 4])); // 2.625 and 4.375
        assert_eq!(allocate(-100, &[1, 1, 1]), Some(vec![-34, -33, -33]));
        assert_eq!(allocate(0, &[5, 5]), Some(vec![0, 0]));
    }

    #[test]
    fn nothing_to_split_by_is_no_answer() {
        assert_eq!(allocate(100, &[0, 0]), None);
        assert_eq!(allocate(100, &[]), None);
        assert_eq!(allocate(100, &[2, -1]), None);
    }

    #[test]
    fn large_amounts_and_many_lines_still_sum_exactly() {
        let weights: Vec<i128> = (1..=997).map(|i| i * 7_919 % 1_000 + 1).collect();
        let total = 987_654_321_987;
        let parts = allocate(total, &weights).unwrap();
        assert_eq!(parts.iter().sum::<i64>(), total);
        let max = parts.iter().max().unwrap();
        let min = parts.iter().min().unwrap();
        assert!(max > min);
    }
}
