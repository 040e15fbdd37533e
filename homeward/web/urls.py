from django.urls import path

from homeward.web.views import (
    account,
    accounts,
    connections,
    conversations,
    directory,
    notifications,
    wallet,
)

app_name = "web"
urlpatterns = [
    path("", accounts.home, name="home"),
    path("signup/", accounts.signup, name="signup"),
    path("signin/", accounts.signin, name="signin"),
    path("signout/", accounts.signout, name="signout"),
    path("verify/<str:token>/", accounts.verify_email, name="verify_email"),
    path("password/forgot/", account.forgot_password, name="forgot_password"),
    path("password/reset/<str:uid>/<str:token>/", account.reset_password, name="reset_password"),
    path("account/", account.account_page, name="account"),
    path("account/password/", account.change_password, name="change_password"),
    path("account/email/", account.change_email, name="change_email"),
    path("account/email/<str:token>/", account.confirm_email_change, name="confirm_email_change"),
    path("account/close/", account.close_account, name="close_account"),
    path("notifications/", notifications.preferences, name="notification_preferences"),
    path("unsubscribe/<str:token>/", notifications.unsubscribe, name="unsubscribe"),
    path("facilities/", directory.facility_list, name="facilities"),
    path("facilities/<slug:code>/", directory.facility_detail, name="facility"),
    path("facilities/<slug:code>/find/", directory.find_resident, name="find_resident"),
    path("facilities/<slug:code>/connect/", directory.connect, name="connect"),
    path("connections/", connections.connection_list, name="connections"),
    path("connections/<int:connection_id>/accept/", connections.accept, name="accept"),
    path("connections/<int:connection_id>/decline/", connections.decline, name="decline"),
    path("connections/<int:connection_id>/block/", connections.block, name="block"),
    path("conversations/", conversations.conversation_list, name="conversations"),
    path(
        "conversations/<int:connection_id>/",
        conversations.conversation_detail,
        name="conversation",
    ),
    path("conversations/<int:connection_id>/send/", conversations.send, name="send"),
    path("conversations/<int:connection_id>/price/", conversations.price, name="price"),
    # Money: wallets per facility, payments, receipts and the statement.
    path("wallet/", wallet.wallets, name="wallets"),
    path("wallet/statement/", wallet.statement, name="statement"),
    path("wallet/statement.csv", wallet.statement_csv, name="statement_csv"),
    path("wallet/<slug:code>/deposit/", wallet.deposit, name="deposit"),
    path("wallet/<slug:code>/refund/", wallet.refund, name="wallet_refund"),
    path("wallet/<slug:code>/packs/", wallet.buy_pack, name="buy_pack"),
    path("connections/<int:connection_id>/money/", wallet.send_money, name="send_money"),
    path("receipts/<int:payment_id>/", wallet.receipt, name="receipt"),
]
