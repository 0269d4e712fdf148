from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    # « Mes démarches » › « Télécharger » (FEATURES D1–D8)
    path("documents/", views.hub, name="hub"),
    path("documents/attestation-de-droits/", views.rights_attestation, name="rights"),
    path(
        "documents/attestation-indemnites-journalieres/",
        views.daily_allowances_attestation,
        name="daily_allowances",
    ),
    path("documents/releve-fiscal/", views.tax_statement, name="tax"),
    path("documents/ceam/", views.ceam, name="ceam"),
    path("documents/ceam/certificat-provisoire/", views.ceam_certificate, name="ceam_certificate"),
    path("documents/ceam/<uuid:public_id>/carte/", views.ceam_card, name="ceam_card"),
    path("documents/mt-dents/", views.mt_dents, name="mt_dents"),
    # C1 « ↓ », C2, C3 (linked from « Mes paiements »)
    path("documents/decompte/<uuid:public_id>/", views.payment_statement, name="payment_statement"),
    path("documents/releves-mensuels/", views.monthly_statements, name="monthly_statements"),
    path(
        "documents/releves-mensuels/<int:year>-<int:month>/",
        views.monthly_statement,
        name="monthly_statement",
    ),
    path("documents/releve-annuel/<int:year>/", views.annual_statement, name="annual_statement"),
    # D8: a document issued, downloadable any number of times by its owner
    path("documents/<uuid:public_id>/", views.detail, name="detail"),
    path("documents/<uuid:public_id>/telecharger/", views.download, name="download"),
    # X1 « Vérifier une attestation » (public)
    path("verifier/", views.verify, name="verify"),
    path("verifier/<str:code>/", views.verify, name="verify_code"),
]
