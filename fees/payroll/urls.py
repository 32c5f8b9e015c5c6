from django.urls import path

from fees.payroll.views import month, rules, statement

app_name = "payroll"

urlpatterns = [
    path("", month.month_page, name="month"),
    path("export/", month.month_export, name="export"),
    path("mine/", statement.mine, name="mine"),
    path("teachers/<id:pk>/rules/", rules.rules_page, name="rules"),
    path("teachers/<id:pk>/<str:month>/", statement.statement_page, name="statement"),
    path("teachers/<id:pk>/<str:month>/approve/", statement.approve, name="approve"),
    path("teachers/<id:pk>/<str:month>/adjust/", statement.adjust, name="adjust"),
    path("teachers/<id:pk>/<str:month>/pay/", statement.pay, name="pay"),
]
