import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0007_safeguarding"),
    ]

    operations = [
        migrations.RenameField(model_name="message", old_name="from_force", new_name="from_recipient"),
        migrations.AlterField(
            model_name="message",
            name="referral",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="messages",
                to="referrals.referral",
            ),
        ),
        migrations.AddField(
            model_name="message",
            name="safeguarding",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="messages",
                to="referrals.safeguardingreferral",
            ),
        ),
        migrations.AddConstraint(
            model_name="message",
            constraint=models.CheckConstraint(
                condition=models.Q(("referral__isnull", False), ("safeguarding__isnull", True))
                | models.Q(("referral__isnull", True), ("safeguarding__isnull", False)),
                name="message_on_one_referral",
            ),
        ),
    ]
