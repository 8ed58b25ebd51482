"""The classroom: one shared lab that knows who met what, the teacher's key, exams it grades.

`serve` runs it beside the lab (routes.Classroom, the lab's annex); students' tutors join it
(student.py); the teacher's `class` view reads it (teacher.py). It never imports Textual.
"""
