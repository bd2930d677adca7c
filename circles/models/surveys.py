"""The end-of-circle surveys of learners and facilitators."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .circle import Circle


class LearnerSurvey(models.Model):
    """A learner's end-of-circle answers. Only counts over them are ever shown, by the team
    page's rule (circles.selectors.survey_results); "what I'll try" is private to its author
    (their 30-day check-in)."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="learner_surveys")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_surveys"
    )
    goal_met = models.PositiveSmallIntegerField(
        "did you get what you hoped for? (1 = not at all, 5 = fully)",
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    will_try = models.TextField(
        "what will you try at work?",
        blank=True,
        max_length=1000,
        help_text="Private: we email it back to you in 30 days, to see how it went.",
    )
    would_recommend = models.BooleanField("would you recommend the circle to a colleague?")
    answered_at = models.DateTimeField(default=timezone.now)
    checkin_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["circle", "user"], name="circle_learner_survey_once"),
            models.CheckConstraint(
                condition=Q(goal_met__gte=1) & Q(goal_met__lte=5),
                name="circle_learner_survey_goal_range",
            ),
        ]

    def __str__(self):
        return f"Survey of {self.user} for {self.circle}"


class FacilitatorSurvey(models.Model):
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="facilitator_surveys")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(
        "how did the circle go? (1–5)", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    would_facilitate_again = models.BooleanField("would you facilitate another circle?")
    notes = models.TextField("what should the next facilitator know?", blank=True, max_length=2000)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "user"], name="circle_facilitator_survey_once"
            ),
        ]

    def __str__(self):
        return f"Facilitator survey of {self.user} for {self.circle}"
