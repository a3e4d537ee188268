from django.urls import path

from haven.referrals import safeguarding_views as sg
from haven.referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list, name="list"),
    path("new/<uuid:uid>/", views.referral_new, name="new"),
    path("route/<uuid:uid>/", views.route_confirm, name="route"),
    path("<uuid:uid>/", views.referral_detail, name="detail"),
    path("<uuid:uid>/package/", views.referral_package, name="package"),
    path("<uuid:uid>/package.pdf", views.referral_package_pdf, name="package_pdf"),
    path("<uuid:uid>/acknowledge/", views.referral_acknowledge, name="acknowledge"),
    path("<uuid:uid>/action/", views.referral_action, name="action"),
    path("<uuid:uid>/outcome/", views.referral_outcome, name="outcome"),
    path("<uuid:uid>/messages/", views.referral_message, name="message"),
    path("safeguarding/", sg.safeguarding_list, name="safeguarding_list"),
    path("safeguarding/new/<uuid:uid>/", sg.safeguarding_new, name="safeguarding_new"),
    path("safeguarding/<uuid:uid>/", sg.safeguarding_detail, name="safeguarding_detail"),
    path("safeguarding/<uuid:uid>/package/", sg.safeguarding_package, name="safeguarding_package"),
    path("safeguarding/<uuid:uid>/package.pdf", sg.safeguarding_package_pdf, name="safeguarding_package_pdf"),
    path(
        "safeguarding/<uuid:uid>/acknowledge/", sg.safeguarding_acknowledge, name="safeguarding_acknowledge"
    ),
    path("safeguarding/<uuid:uid>/decision/", sg.safeguarding_decision, name="safeguarding_decision"),
    path("safeguarding/<uuid:uid>/outcome/", sg.safeguarding_outcome, name="safeguarding_outcome"),
    path("safeguarding/<uuid:uid>/messages/", sg.safeguarding_message, name="safeguarding_message"),
]
