//! What both halves of the benchmark share: the orders to place and the latency figures.

use std::time::Duration;

/// The steps of one order, in the order they happen.
pub const STEPS: [&str; 7] = ["create order", "confirm", "request dispatch", "approve", "ship", "invoice", "pay"];
pub const CREATE: usize = 0;
pub const CONFIRM: usize = 1;
pub const DISPATCH: usize = 2;
pub const APPROVE: usize = 3;
pub const SHIP: usize = 4;
pub const INVOICE: usize = 5;
pub const PAY: usize = 6;

/// One order line: which of the benchmark's products (an index) and how many.
#[derive(Clone, Copy, Debug)]
pub struct Line {
    pub product: usize,
    pub quantity: i64,
}

/// The n-th order: always two lines of two different products, one to three units each.
pub fn order_lines(n: usize, products: usize) -> [Line; 2] {
    let first = n % products;
    let second = (first + 1 + (n / products) % (products - 1)) % products;
    [
        Line { product: first, quantity: 1 + (n % 3) as i64 },
        Line { product: second, quantity: 1 + ((n / 3) % 2) as i64 },
    ]
}

/// Units of each product that `orders` orders take.
pub fn units_needed(orders: usize, products: usize) -> Vec<i64> {
    let mut needed = vec![0; products];
    for n in 0..orders {
        for line in order_lines(n, products) {
            needed[line.product] += line.quantity;
        }
    }
    needed
}

/// Latencies of each step, and of whole orders.
#[derive(Default)]
pub struct Latencies {
    pub steps: [Vec<Duration>; STEPS.len()],
    pub orders: Vec<Duration>,
}

impl Latencies {
    pub fn merge(&mut self, other: Latencies) {
        for (mine, theirs) in self.steps.iter_mut().zip(other.steps) {
            mine.extend(theirs);
        }
        self.orders.extend(other.orders);
    }

    pub fn sort(&mut self) {
        for step in &mut self.steps {
            step.sort();
        }
        self.orders.sort();
    }
}

/// The nearest-rank percentile of sorted samples, in milliseconds.
pub fn percentile_ms(sorted: &[Duration], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    let index = rank.clamp(1, sorted.len()) - 1;
    Some(sorted[index].as_secs_f64() * 1000.0)
}

pub fn ms(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.1}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_order_has_two_different_products() {
        for n in 0..1000 {
            let [a, b] = order_lines(n, 6);
            assert_ne!(a.product, b.product, "order {n}");
            assert!(a.product < 6 && b.product < 6);
        }
        assert_eq!(units_needed(3, 6).iter().sum::<i64>(), 1 + 1 + 2 + 1 + 3 + 1);
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile_ms(&samples, 50.0), Some(50.0));
        assert_eq!(percentile_ms(&samples, 99.0), Some(99.0));
        assert_eq!(percentile_ms(&[], 50.0), None);
    }
}
