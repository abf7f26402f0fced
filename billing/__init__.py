"""Fees owed by customer accounts: monthly statements (thông báo phí), their e-mails,
payments, dunning (suspension and closure for unpaid fees) and the jobs that run them."""
