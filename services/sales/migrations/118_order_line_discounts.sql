-- Discounts on order lines, kept apart from the price so that accounting can book them on 5211
-- (trade discounts): unit_price is the price before any discount, discount_amount the line's
-- whole discount in VND without VAT (the quote's discount and promotions), and net_amount is
-- quantity x unit_price less it. promotions names the programmes behind the discount, one per
-- line of text. Orders made before this had their discount folded into unit_price: 0 and ''.
ALTER TABLE order_lines ADD COLUMN discount_amount BIGINT NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD COLUMN promotions TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN total_discount BIGINT NOT NULL DEFAULT 0;
