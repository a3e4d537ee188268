from django.urls import path

from haven.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.dashboard, name="home"),
    path("trends/", views.trends, name="trends"),
    path("trends.csv", views.trend_list, name="trends_csv"),
    path("monthly.pdf", views.monthly, name="monthly"),
    path("<slug:slug>/", views.dashboard, name="dashboard"),
    path("<slug:slug>/<slug:chart>.csv", views.chart_csv, name="csv"),
]
