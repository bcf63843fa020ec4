-- The trade discount of an invoice (the sum of its lines' shares of their order lines' discounts),
-- booked on 5211 when it was issued; the reconciliation compares 5211 with it. Invoices issued
-- before this had no discount apart from the price: 0.
ALTER TABLE invoices ADD COLUMN total_discount BIGINT NOT NULL DEFAULT 0;
